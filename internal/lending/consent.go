package lending

import (
	"context"
	"strings"

	"github.com/openflex/openflex"
)

// Consent returns merchantID's active consent on an account (nil: none).
func (s *Service) Consent(ctx context.Context, merchantID, accountNumber string) (*openflex.AccountConsent, error) {
	return s.Store.ActiveConsent(ctx, merchantID, accountNumber)
}

// Consents lists every consent given on an account, revoked ones too.
func (s *Service) Consents(ctx context.Context, accountNumber string) ([]*openflex.AccountConsent, error) {
	if !openflex.ValidAccountNumber(accountNumber) {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number", Message: "account_number must be 14 digits with a valid check digit"}
	}
	return s.Store.Consents(ctx, accountNumber)
}

// RevokeRequest ends a merchant's consent on an account.
type RevokeRequest struct {
	MerchantID    string
	AccountNumber string
	By            string // openflex.RevokedBy…
	Reason        string
	// VerificationID is the customer's passed verification, consumed here;
	// required when By is RevokedByCustomer, unless SignedIn.
	VerificationID string
	// SignedIn reports that the customer revokes from their own pages,
	// signed in with the account number, date of birth and a one-time code:
	// that sign-in is the proof a verification would give.
	SignedIn bool
}

// RevokeConsent ends a merchant's active consent (resource_missing when
// there is none) with a consent.revoked event. From then on that merchant's
// online purchases on the account need a new checkout or verification.
func (s *Service) RevokeConsent(ctx context.Context, r RevokeRequest) (*openflex.AccountConsent, error) {
	var p openflex.Problems
	if r.MerchantID == "" {
		p.Missing("merchant_id")
	}
	if !openflex.ValidAccountNumber(r.AccountNumber) {
		p.Invalid("account_number", "account_number must be 14 digits with a valid check digit")
	}
	switch r.By {
	case openflex.RevokedByCustomer:
		if r.VerificationID == "" && !r.SignedIn {
			p.Missing("verification")
		}
	case openflex.RevokedByMerchant, openflex.RevokedByStaff:
	default:
		p.Invalid("revoked_by", "revoked_by must be customer, merchant or staff")
	}
	r.Reason = strings.TrimSpace(r.Reason)
	if len(r.Reason) > 500 {
		p.Invalid("reason", "reason must be at most 500 characters")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var c *openflex.AccountConsent
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		if r.VerificationID != "" {
			if err := s.Verifier.ConsumeVerification(ctx, r.MerchantID, r.VerificationID, r.AccountNumber); err != nil {
				return err
			}
		}
		var err error
		if c, err = s.Store.RevokeConsent(ctx, r.MerchantID, r.AccountNumber, s.now(), r.By, r.Reason); err != nil {
			return err
		}
		return s.emit(ctx, c.MerchantID, "consent.revoked", c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
