package credit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pii"
)

// Notifier delivers a verification code to a customer.
type Notifier interface {
	Send(ctx context.Context, channel, to, subject, body string) error
}

// Verification rules of API.md.
const (
	VerificationTTL      = 10 * time.Minute
	VerificationAttempts = 5
	// TrainingCode always passes in TRAINING, where nothing is ever sent.
	TrainingCode = "222222"
)

func (s *Service) codeHash(verificationID, code string) []byte {
	m := hmac.New(sha256.New, s.CodeKey)
	m.Write([]byte(verificationID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// StartVerification sends the account holder a 6-digit code by sms or
// email, counted against the account's limits and the caller's budget
// (budgetKey: the key set, or TillBudget for the clerk screens); past a
// limit it fails with rate_limited and the error's RetryAfter. TRAINING
// never sends: the message lands in the validation inbox and the code
// 222222 also passes; its per-account limits are TrainingVerificationLimits.
func (s *Service) StartVerification(ctx context.Context, merchantID, budgetKey, number, channel string) (*openflex.Verification, error) {
	if channel != "sms" && channel != "email" {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "channel", Message: "channel must be sms or email"}
	}
	acct, err := s.Account(ctx, number)
	if err != nil {
		return nil, err
	}
	cust, err := s.Store.Customer(ctx, acct.CustomerID)
	if err != nil {
		return nil, err
	}
	to, masked := cust.Applicant.Phone, pii.MaskPhone(cust.Applicant.Phone)
	if channel == "email" {
		to, masked = cust.Applicant.Email, pii.MaskEmail(cust.Applicant.Email)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return nil, err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	v := &openflex.Verification{ID: openflex.NewID(openflex.PrefixVerification), AccountNumber: acct.Number, MerchantID: merchantID,
		BudgetKey: budgetKey, Channel: channel, SentTo: masked, Status: openflex.VerificationPending}
	v.CodeHash = s.codeHash(v.ID, code)
	body := fmt.Sprintf("Your OpenFlex verification code is %s. It expires in 10 minutes. Never share it with anyone.", code)
	if acct.Language == "fr" {
		body = fmt.Sprintf("Votre code de vérification OpenFlex est %s. Il expire dans 10 minutes. Ne le communiquez à personne.", code)
	}
	if s.Env == openflex.Production && s.Notifier == nil {
		return nil, openflex.Errorf(openflex.CodeUnavailable, "no %s provider is configured for verification codes", channel)
	}
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		// The budget first, then the account row (locked on PostgreSQL;
		// SQLite has one writer): concurrent requests count one after
		// another, so none can overshoot a limit, on any number of nodes.
		if budgetKey != "" {
			if err := s.Store.LockVerificationBudget(ctx, budgetKey); err != nil {
				return err
			}
		}
		if _, err := s.Store.Account(ctx, acct.Number); err != nil {
			return err
		}
		now := s.now()
		if err := s.admitCode(ctx, merchantID, budgetKey, acct.Number, now); err != nil {
			return err
		}
		v.Created, v.ExpiresAt = now, now.Add(VerificationTTL)
		if err := s.Store.CreateVerification(ctx, v); err != nil {
			return err
		}
		if s.Env == openflex.Training {
			return s.Store.RecordMessage(ctx, &openflex.Message{ID: openflex.NewID("msg"), MerchantID: merchantID, Channel: channel,
				Recipient: masked, Subject: "OpenFlex verification code", Body: body, Created: now})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.Env == openflex.Production {
		if err := s.Notifier.Send(ctx, channel, to, "OpenFlex verification code", body); err != nil {
			return nil, &openflex.Error{Code: openflex.CodeUnavailable, Message: "the verification code could not be sent; retry", Cause: err}
		}
	}
	return v, nil
}

// Verification returns merchantID's verification id (resource_missing for
// any other), as it stands: the till shows the step it has reached.
func (s *Service) Verification(ctx context.Context, merchantID, id string) (*openflex.Verification, error) {
	return s.Store.Verification(ctx, merchantID, id)
}

// Usable reports why v can no longer serve a purchase (verification_failed:
// used, locked or expired), nil when it still can.
func (s *Service) Usable(v *openflex.Verification) error {
	return s.usable(v, v.AccountNumber, openflex.VerificationPending, openflex.VerificationPassed)
}

// CheckVerification checks a code in its own transaction, so wrong tries
// are counted even when the purchase that carried them fails; the fifth
// wrong code locks the verification. Wrong codes also count against the
// account (limits.go): once its budget, or this merchant's share of it, is
// spent, codes are not compared (rate_limited) until the window passes. A
// right code marks it passed, ready to be consumed by one purchase.
// Errors: verification_failed (wrong, expired, locked, already used, or
// for another account), rate_limited, resource_missing.
func (s *Service) CheckVerification(ctx context.Context, merchantID, id, code, accountNumber string) error {
	var failure error
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		// The account row first, as every purchase locks it before the
		// verification: concurrent guesses on one account count one after
		// another. An unknown account has nothing to lock, and its
		// verification cannot match it.
		if _, err := s.Store.Account(ctx, accountNumber); err != nil && openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			return err
		}
		v, err := s.Store.Verification(ctx, merchantID, id)
		if err != nil {
			return err
		}
		if failure = s.usable(v, accountNumber, openflex.VerificationPending, openflex.VerificationPassed); failure != nil {
			return nil
		}
		if v.Status == openflex.VerificationPending {
			if failure = s.admitGuess(ctx, merchantID, v.AccountNumber, s.now()); failure != nil {
				return nil
			}
		}
		if hmac.Equal(v.CodeHash, s.codeHash(v.ID, code)) || (s.Env == openflex.Training && code == TrainingCode) {
			v.Status = openflex.VerificationPassed
			return s.Store.UpdateVerification(ctx, v)
		}
		v.Attempts++
		if v.Attempts >= VerificationAttempts {
			v.Status = openflex.VerificationLocked
		}
		failure = verifyFailed("the verification code is not correct")
		return s.Store.UpdateVerification(ctx, v)
	})
	if err != nil {
		return err
	}
	return failure
}

// ConsumeVerification uses a passed verification for one purchase, inside
// the purchase's transaction: if the purchase fails, the code stays usable.
func (s *Service) ConsumeVerification(ctx context.Context, merchantID, id, accountNumber string) error {
	v, err := s.Store.Verification(ctx, merchantID, id)
	if err != nil {
		return err
	}
	if err := s.usable(v, accountNumber, openflex.VerificationPassed); err != nil {
		return err
	}
	v.Status, v.UsedAt = openflex.VerificationConsumed, s.now()
	return s.Store.UpdateVerification(ctx, v)
}

func verifyFailed(msg string) error {
	return &openflex.Error{Code: openflex.CodeVerifyFailed, Param: "verification", Message: msg}
}

func (s *Service) usable(v *openflex.Verification, accountNumber string, allowed ...openflex.VerificationStatus) error {
	switch {
	case v.AccountNumber != accountNumber:
		return verifyFailed("this verification belongs to another account")
	case v.Status == openflex.VerificationLocked:
		return verifyFailed("this verification is locked after too many wrong codes; start a new one")
	case v.Status == openflex.VerificationConsumed:
		return verifyFailed("this verification was already used (a code passes once); start a new one")
	case !s.now().Before(v.ExpiresAt):
		return verifyFailed("this verification code has expired; start a new one")
	}
	for _, a := range allowed {
		if v.Status == a {
			return nil
		}
	}
	return verifyFailed("this verification has not been passed")
}
