package lending

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/openflex/openflex"
)

// AuthorizeRequest is a purchase to hold credit for.
type AuthorizeRequest struct {
	MerchantID     string
	StoreID        string // checked by the caller against the merchant's stores
	AccountNumber  string
	Amount         int64
	Currency       openflex.Currency
	Financing      *openflex.Financing // checked by the caller against the merchant's plans
	AutoCapture    bool
	Reference      string
	Channel        string
	VerificationID string // a passed verification, consumed here (in_store: required)
	// CheckoutID is set by the hosted checkout only: completing a checkout
	// is the customer's consent to this merchant.
	CheckoutID string
	EmployeeID string
	RegisterID string
	Items      []openflex.LineItem
	TaxGSTHST  int64
	TaxPST     int64
	Metadata   map[string]string
}

// Validate reports every field problem of r at once.
func (r *AuthorizeRequest) Validate() error {
	var p openflex.Problems
	if r.AccountNumber == "" {
		p.Missing("account_number")
	} else if !openflex.ValidAccountNumber(r.AccountNumber) {
		p.Invalid("account_number", "account_number must be 14 digits with a valid check digit")
	}
	p.Add(openflex.CheckAmount("amount", r.Amount, false))
	if r.Currency == "" {
		p.Missing("currency")
	} else if r.Currency != openflex.CAD {
		p.Invalid("currency", "currency must be CAD")
	}
	if r.StoreID == "" {
		p.Missing("store_id")
	}
	switch r.Channel {
	case "":
		p.Missing("channel")
	case "in_store", "online":
	default:
		p.Invalid("channel", "channel must be in_store or online")
	}
	if len(r.Reference) > 255 {
		p.Invalid("reference", "reference must be at most 255 characters")
	}
	p.Add(openflex.CheckAmount("taxes.gst_hst", r.TaxGSTHST, true))
	p.Add(openflex.CheckAmount("taxes.pst", r.TaxPST, true))
	p = append(p, openflex.CheckLineItems(r.Items, r.TaxGSTHST+r.TaxPST, r.Amount)...)
	if len(r.Metadata) > 20 {
		p.Invalid("metadata", "metadata holds at most 20 keys")
	}
	keys := slices.Sorted(maps.Keys(r.Metadata))
	for _, k := range keys {
		if len(k) > 40 || len(r.Metadata[k]) > 500 {
			p.Invalid("metadata."+k, "metadata keys are at most 40 characters and values at most 500")
			break
		}
	}
	if r.VerificationID != "" && !strings.HasPrefix(r.VerificationID, openflex.PrefixVerification+"_") {
		p.Invalid("verification.id", "verification.id must be a verification id (ver_…)")
	}
	return p.Err()
}

// Authorize holds the amount against the account's available credit, all
// of it or nothing (insufficient_credit). The account must be in good
// standing (account_not_in_good_standing) and the customer must have
// allowed it (see customerProof). With
// AutoCapture the whole amount is captured at once. Call it inside a write
// transaction, or it opens its own.
func (s *Service) Authorize(ctx context.Context, r AuthorizeRequest) (*AuthorizationView, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var view *AuthorizationView
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		// A purchase resting on a consent the merchant already holds reads
		// it with the account (one round trip on PostgreSQL).
		consentOf := ""
		if r.heldConsent() {
			consentOf = r.MerchantID
		}
		acct, held, err := s.Store.AccountWithConsent(ctx, r.AccountNumber, consentOf)
		if err != nil {
			return err
		}
		if acct.Status != openflex.AccountNormal {
			return openflex.Errorf(openflex.CodeAccountNotGood, "the account is %s and cannot take purchases", acct.Status)
		}
		if err := s.customerProof(ctx, r, held); err != nil {
			return err
		}
		if acct.Available() < r.Amount {
			return openflex.Errorf(openflex.CodeInsufficientCred, "the account's available credit does not cover this amount")
		}
		now := s.timeOf(acct)
		ttl := s.HoldTTL
		if ttl <= 0 {
			ttl = DefaultHoldTTL
		}
		a := &openflex.Authorization{
			ID: openflex.NewID(openflex.PrefixAuth), MerchantID: r.MerchantID, StoreID: r.StoreID, AccountNumber: r.AccountNumber,
			Amount: r.Amount, Currency: openflex.CAD, Status: openflex.AuthPending, Channel: r.Channel, Reference: r.Reference,
			Financing: r.Financing, VerificationID: r.VerificationID, EmployeeID: r.EmployeeID, RegisterID: r.RegisterID,
			Items: r.Items, TaxGSTHST: r.TaxGSTHST, TaxPST: r.TaxPST, Metadata: r.Metadata, ExpiresAt: s.now().Add(ttl), Created: now,
		}
		if err := s.Store.CreateAuthorization(ctx, a); err != nil {
			return err
		}
		t := &openflex.Transaction{MerchantID: a.MerchantID, StoreID: a.StoreID, AccountNumber: a.AccountNumber,
			Type: openflex.TxnAuthorization, Amount: a.Amount, AuthorizationID: a.ID, Reference: a.Reference}
		if err := s.post(ctx, t, now, a.Amount, 0, "held", "available"); err != nil {
			return err
		}
		// Created just now in this transaction: it has no captures to read.
		view = &AuthorizationView{Authorization: a}
		if err := s.emit(ctx, a.MerchantID, "authorization.created", view); err != nil {
			return err
		}
		if r.AutoCapture {
			view, _, err = s.capture(ctx, a, 0, r.Reference, true)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// customerProof checks that the customer allowed this purchase, so an
// account number alone (anyone may look one up) never moves money:
//   - in store, a passed verification every time (verification_required);
//   - online, a passed verification, which also records the customer's
//     consent to this merchant (a card on file); or the completion of a
//     checkout, which records it too; or an active consent
//     (customer_consent_required without one).
//
// It runs inside the authorization's transaction after the account row is
// locked; held is the merchant's active consent read with the account
// (when r.heldConsent()).
func (s *Service) customerProof(ctx context.Context, r AuthorizeRequest, held *openflex.AccountConsent) error {
	if r.Channel == "in_store" {
		if r.VerificationID == "" {
			return &openflex.Error{Code: openflex.CodeVerifyRequired, Param: "verification", Message: "in-store purchases need a passed customer verification"}
		}
		// A code given at the till proves the customer is present for this
		// purchase; it is not a standing permission to charge them online.
		return s.Verifier.ConsumeVerification(ctx, r.MerchantID, r.VerificationID, r.AccountNumber)
	}
	c := &openflex.AccountConsent{AccountNumber: r.AccountNumber, MerchantID: r.MerchantID}
	switch {
	case r.VerificationID != "":
		if err := s.Verifier.ConsumeVerification(ctx, r.MerchantID, r.VerificationID, r.AccountNumber); err != nil {
			return err
		}
		c.Source, c.VerificationID = openflex.ConsentByVerification, r.VerificationID
	case r.CheckoutID != "":
		c.Source, c.CheckoutID = openflex.ConsentByCheckout, r.CheckoutID
	default:
		if held == nil {
			return &openflex.Error{Code: openflex.CodeConsentRequired, Param: "verification",
				Message: "the customer has not authorized this merchant on this account: send the customer through a checkout (POST /v1/checkouts), " +
					"or pass a verification they passed (verification.id and verification.code); an account number alone never moves money"}
		}
		return nil
	}
	return s.grant(ctx, c)
}

// heldConsent tells whether r rests on a consent its merchant already holds
// (online, with neither a verification nor a checkout): customerProof's
// last case.
func (r AuthorizeRequest) heldConsent() bool {
	return r.Channel != "in_store" && r.VerificationID == "" && r.CheckoutID == ""
}

// grant records c (its merchant's consent on its account, given as
// c.Source says) with a consent.granted event, unless the merchant already
// holds an active consent there.
func (s *Service) grant(ctx context.Context, c *openflex.AccountConsent) error {
	c.ID, c.Created = openflex.NewID(openflex.PrefixConsent), s.now()
	stored, err := s.Store.GrantConsent(ctx, c)
	if err != nil || !stored {
		return err
	}
	return s.emit(ctx, c.MerchantID, "consent.granted", c)
}

// Capture posts amount (0: all that remains) of an open authorization.
// With final, what remains after it is released. Errors:
// authorization_not_open, amount_exceeds_remaining, resource_missing.
func (s *Service) Capture(ctx context.Context, merchantID, authID string, amount int64, reference string, final bool) (*AuthorizationView, *openflex.Capture, error) {
	if amount != 0 {
		if fe := openflex.CheckAmount("amount", amount, false); fe != nil {
			return nil, nil, (&openflex.Problems{*fe}).Err()
		}
	}
	var view *AuthorizationView
	var c *openflex.Capture
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		a, err := s.Store.Authorization(ctx, merchantID, authID)
		if err != nil {
			return err
		}
		view, c, err = s.capture(ctx, a, amount, reference, final)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return view, c, nil
}

func (s *Service) capture(ctx context.Context, a *openflex.Authorization, amount int64, reference string, final bool) (*AuthorizationView, *openflex.Capture, error) {
	if !a.Status.Open() {
		return nil, nil, openflex.Errorf(openflex.CodeAuthNotOpen, "authorization %s is %s", a.ID, a.Status)
	}
	remaining := a.Remaining()
	if amount == 0 {
		amount = remaining
	}
	if amount > remaining {
		return nil, nil, &openflex.Error{Code: openflex.CodeAmountExceeds, Param: "amount",
			Message: fmt.Sprintf("amount %d exceeds the %d cents that remain on the authorization", amount, remaining)}
	}
	if reference == "" {
		reference = a.Reference
	}
	c := &openflex.Capture{ID: openflex.NewID(openflex.PrefixCapture), MerchantID: a.MerchantID, AuthorizationID: a.ID,
		StoreID: a.StoreID, AccountNumber: a.AccountNumber, Amount: amount, Reference: reference, Created: s.now(),
		Fee: feeOf(a).OnCapture(a.CapturedAmount, amount)}
	if s.Servicing != nil {
		// The purchase lands in its segment first: servicing reads the
		// account's clock there, which dates the capture.
		at, err := s.Servicing.Captured(ctx, a, c)
		if err != nil {
			return nil, nil, err
		}
		c.Created = at.UTC().Truncate(time.Microsecond)
	}
	if err := s.Store.CreateCapture(ctx, c); err != nil {
		return nil, nil, err
	}
	t := &openflex.Transaction{MerchantID: a.MerchantID, StoreID: a.StoreID, AccountNumber: a.AccountNumber,
		Type: openflex.TxnCapture, Amount: amount, AuthorizationID: a.ID, CaptureID: c.ID, Reference: reference}
	if err := s.postMerchant(ctx, t, c.Created, -amount, amount, "posted", "held", c.Fee); err != nil {
		return nil, nil, err
	}
	a.CapturedAmount += amount
	a.Status = openflex.AuthPartiallyCaptured
	if rest := a.Remaining(); rest == 0 {
		a.Status = openflex.AuthCaptured
	} else if final {
		if err := s.release(ctx, a, rest, openflex.TxnRelease); err != nil {
			return nil, nil, err
		}
		a.Status = openflex.AuthCaptured
	}
	if err := s.Store.UpdateAuthorization(ctx, a); err != nil {
		return nil, nil, err
	}
	view, err := s.view(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	return view, c, s.emit(ctx, a.MerchantID, "authorization.captured", view)
}

// release frees amount of a's hold as a release or expiry movement.
func (s *Service) release(ctx context.Context, a *openflex.Authorization, amount int64, typ openflex.TransactionType) error {
	t := &openflex.Transaction{MerchantID: a.MerchantID, StoreID: a.StoreID, AccountNumber: a.AccountNumber,
		Type: typ, Amount: amount, AuthorizationID: a.ID, Reference: a.Reference}
	at, err := s.accountTime(ctx, a.AccountNumber)
	if err != nil {
		return err
	}
	if err := s.post(ctx, t, at, -amount, 0, "available", "held"); err != nil {
		return err
	}
	a.ReleasedAmount += amount
	return nil
}

// Release cancels what is still pending on an authorization
// (authorization_not_open when nothing is).
func (s *Service) Release(ctx context.Context, merchantID, authID string) (*AuthorizationView, error) {
	return s.end(ctx, merchantID, authID, openflex.TxnRelease)
}

// Expire releases an open authorization's hold as expired (the expiry job,
// and the TRAINING test helper).
func (s *Service) Expire(ctx context.Context, merchantID, authID string) (*AuthorizationView, error) {
	return s.end(ctx, merchantID, authID, openflex.TxnExpiry)
}

func (s *Service) end(ctx context.Context, merchantID, authID string, typ openflex.TransactionType) (*AuthorizationView, error) {
	var view *AuthorizationView
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		a, err := s.Store.Authorization(ctx, merchantID, authID)
		if err != nil {
			return err
		}
		if !a.Status.Open() {
			return openflex.Errorf(openflex.CodeAuthNotOpen, "authorization %s is %s", a.ID, a.Status)
		}
		if err := s.release(ctx, a, a.Remaining(), typ); err != nil {
			return err
		}
		event := "authorization.released"
		switch {
		case typ == openflex.TxnExpiry:
			a.Status, event = openflex.AuthExpired, "authorization.expired"
		case a.CapturedAmount > 0:
			a.Status = openflex.AuthCaptured // captured in part; the rest is released
		default:
			a.Status = openflex.AuthReleased
		}
		if err := s.Store.UpdateAuthorization(ctx, a); err != nil {
			return err
		}
		if view, err = s.view(ctx, a); err != nil {
			return err
		}
		return s.emit(ctx, a.MerchantID, event, view)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// ExpireDue expires every open authorization past its expiry, in batches,
// each in its own transaction. It returns how many it expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	n := 0
	for {
		due, err := s.Store.OpenAuthorizationsExpiring(ctx, s.now(), 100)
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, a := range due {
			_, err := s.Expire(ctx, a.MerchantID, a.ID)
			if err != nil && openflex.ErrorCode(err) != openflex.CodeAuthNotOpen {
				return n, err
			}
			if err == nil {
				n++
			}
		}
		if len(due) < 100 {
			return n, nil
		}
	}
}
