// Package checkout is the hosted online checkout: the API's checkout
// sessions, the shopper's pages (sign in or apply, choose a plan, confirm)
// and the JavaScript drop-in that opens them from a merchant's store.
package checkout

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/lending"
)

// Store is the data-plane storage checkouts need.
type Store interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	CreateCheckout(ctx context.Context, c *openflex.Checkout) error
	Checkout(ctx context.Context, merchantID, id string) (*openflex.Checkout, error)
	CheckoutByToken(ctx context.Context, hash []byte) (*openflex.Checkout, error)
	UpdateCheckout(ctx context.Context, c *openflex.Checkout) error
	OpenCheckoutsExpiring(ctx context.Context, t time.Time, limit int) ([]*openflex.Checkout, error)
	AppendEvent(ctx context.Context, e *openflex.Event) error
	// Plans are the merchant's financing plans of this environment.
	Plans(ctx context.Context, merchantID string) ([]*openflex.Plan, error)
}

// Service runs checkouts of one environment.
type Service struct {
	Env     openflex.Environment
	Store   Store
	Credit  *credit.Service
	Lending *lending.Service
	// Render turns a checkout into its API JSON for events.
	Render func(v any) ([]byte, error)
	// TokenKey keys the hash of URL tokens.
	TokenKey []byte
	// BaseURL is the public URL of this server, for the hosted page links.
	BaseURL string
	Now     func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) hash(token string) []byte {
	m := hmac.New(sha256.New, s.TokenKey)
	m.Write([]byte(token))
	return m.Sum(nil)
}

// URL is the hosted page of a checkout token.
func (s *Service) URL(token string) string {
	return strings.TrimSuffix(s.BaseURL, "/") + "/checkout/" + token
}

// CreateRequest is a merchant's checkout request.
type CreateRequest struct {
	KeySet      *openflex.KeySet
	StoreID     string // checked by the caller against the merchant's stores
	Amount      int64
	Currency    openflex.Currency
	Reference   string
	Items       []openflex.LineItem
	Customer    openflex.CheckoutCustomer
	Flow        string
	AutoCapture bool
	SuccessURL  string
	CancelURL   string
	Language    string
}

// Create opens a checkout and returns it with its URL token (unguessable:
// 256 random bits; only a keyed hash is stored). The redirect URLs must
// match a Trust URL of the key set (url_not_trusted).
func (s *Service) Create(ctx context.Context, r CreateRequest) (*openflex.Checkout, string, error) {
	var p openflex.Problems
	p.Add(openflex.CheckAmount("amount", r.Amount, false))
	if r.Currency != openflex.CAD {
		p.Invalid("currency", "currency must be CAD")
	}
	switch r.Flow {
	case "":
		r.Flow = "apply_or_buy"
	case "apply_or_buy", "buy", "apply":
	default:
		p.Invalid("flow", "flow must be apply_or_buy, buy or apply")
	}
	switch r.Language {
	case "", "en", "fr": // "": the shopper's browser decides (Accept-Language)
	default:
		p.Invalid("language", "language must be en or fr")
	}
	for _, f := range []struct{ param, url string }{{"success_url", r.SuccessURL}, {"cancel_url", r.CancelURL}} {
		if f.url == "" {
			p.Missing(f.param)
		}
	}
	// The lines become the authorization's: the same rules apply here.
	p = append(p, openflex.CheckLineItems(r.Items, 0, r.Amount)...)
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	for _, f := range []struct{ param, url string }{{"success_url", r.SuccessURL}, {"cancel_url", r.CancelURL}} {
		if _, ok := keys.NormalizeTrustURL(r.KeySet.Environment, originOf(f.url)); !ok || !keys.URLTrusted(r.KeySet.TrustURLs, f.url) {
			return nil, "", &openflex.Error{Code: openflex.CodeURLNotTrusted, Param: f.param,
				Message: fmt.Sprintf("%s does not match any Trust URL of this key set", f.param)}
		}
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	token := s.Env.Short() + "_" + base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	c := &openflex.Checkout{ID: openflex.NewID(openflex.PrefixCheckout), MerchantID: r.KeySet.MerchantID, KeySetID: r.KeySet.ID,
		StoreID: r.StoreID, Amount: r.Amount, Currency: openflex.CAD, Reference: r.Reference, Items: r.Items, Customer: r.Customer,
		Flow: r.Flow, AutoCapture: r.AutoCapture, SuccessURL: r.SuccessURL, CancelURL: r.CancelURL, Language: r.Language,
		Status: openflex.CheckoutOpen, TokenHash: s.hash(token), ExpiresAt: now.Add(openflex.CheckoutTTL), Created: now}
	if err := s.Store.CreateCheckout(ctx, c); err != nil {
		return nil, "", err
	}
	return c, token, nil
}

func originOf(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	if j := strings.IndexAny(raw[i+3:], "/?#"); j >= 0 {
		return raw[:i+3+j]
	}
	return raw
}

// Get returns merchantID's checkout.
func (s *Service) Get(ctx context.Context, merchantID, id string) (*openflex.Checkout, error) {
	return s.Store.Checkout(ctx, merchantID, id)
}

// ByToken returns the checkout of a URL token. An open checkout past its
// expiry is expired on the spot.
func (s *Service) ByToken(ctx context.Context, token string) (*openflex.Checkout, error) {
	c, err := s.Store.CheckoutByToken(ctx, s.hash(token))
	if err != nil {
		return nil, err
	}
	if c.Status == openflex.CheckoutOpen && !s.now().Before(c.ExpiresAt) {
		if err := s.end(ctx, c, openflex.CheckoutExpired); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// NotOpen is the error for a checkout that can no longer change.
func NotOpen(c *openflex.Checkout) error {
	return openflex.Errorf(openflex.CodeCheckoutNotOpen, "this checkout is %s", c.Status)
}

// update saves c after fn changed it, if it is still open (re-read under
// lock so two tabs cannot interleave).
func (s *Service) update(ctx context.Context, c *openflex.Checkout, fn func(ctx context.Context, locked *openflex.Checkout) error) error {
	return s.Store.Write(ctx, func(ctx context.Context) error {
		locked, err := s.Store.Checkout(ctx, c.MerchantID, c.ID)
		if err != nil {
			return err
		}
		if locked.Status != openflex.CheckoutOpen {
			*c = *locked
			return NotOpen(locked)
		}
		if err := fn(ctx, locked); err != nil {
			return err
		}
		if err := s.Store.UpdateCheckout(ctx, locked); err != nil {
			return err
		}
		*c = *locked
		return nil
	})
}

// Apply runs the shopper's credit application for this checkout. An
// approved application signs the shopper in to the account it opened (a
// repeat application's existing account needs a code first: SendCode).
//
// lang is the language the shopper applied in: the account's language.
func (s *Service) Apply(ctx context.Context, c *openflex.Checkout, a openflex.Applicant, consent openflex.Consent, lang string, loc *time.Location) (*openflex.Application, *openflex.Account, error) {
	if c.Status != openflex.CheckoutOpen {
		return nil, nil, NotOpen(c)
	}
	prepared, err := s.Credit.Prepare(ctx, credit.ApplyRequest{MerchantID: c.MerchantID, StoreID: c.StoreID, Applicant: a,
		Consent: consent, RequestedAmount: c.Amount, Language: lang, Location: loc})
	if err != nil {
		return nil, nil, err
	}
	var app *openflex.Application
	var acct *openflex.Account
	err = s.update(ctx, c, func(ctx context.Context, locked *openflex.Checkout) error {
		var err error
		if app, acct, err = s.Credit.Commit(ctx, prepared); err != nil {
			return err
		}
		locked.ApplicationID = app.ID
		if acct != nil {
			// Only an account this application opened signs the shopper in:
			// a repeat returns an existing account to whoever knows a name
			// and a date of birth, so its holder must prove it with a code.
			locked.AccountNumber, locked.Verified = acct.Number, !prepared.Repeat()
		}
		return nil
	})
	return app, acct, err
}

// SendCode starts a verification of the account the shopper named.
func (s *Service) SendCode(ctx context.Context, c *openflex.Checkout, accountNumber, channel string) (*openflex.Verification, error) {
	if c.Status != openflex.CheckoutOpen {
		return nil, NotOpen(c)
	}
	v, err := s.Credit.StartVerification(ctx, c.MerchantID, c.KeySetID, accountNumber, channel)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, c, func(ctx context.Context, locked *openflex.Checkout) error {
		locked.AccountNumber, locked.VerificationID, locked.Verified = v.AccountNumber, v.ID, false
		return nil
	})
	return v, err
}

// CheckCode checks the shopper's code; a right code signs them in.
func (s *Service) CheckCode(ctx context.Context, c *openflex.Checkout, code string) error {
	if c.Status != openflex.CheckoutOpen {
		return NotOpen(c)
	}
	if c.VerificationID == "" {
		return &openflex.Error{Code: openflex.CodeVerifyRequired, Message: "ask for a code first"}
	}
	if err := s.Credit.CheckVerification(ctx, c.MerchantID, c.VerificationID, strings.TrimSpace(code), c.AccountNumber); err != nil {
		return err
	}
	return s.update(ctx, c, func(ctx context.Context, locked *openflex.Checkout) error {
		locked.Verified = true
		return nil
	})
}

// ChoosePlan records the plan and term the shopper picked.
func (s *Service) ChoosePlan(ctx context.Context, c *openflex.Checkout, planID string, months int) error {
	return s.update(ctx, c, func(ctx context.Context, locked *openflex.Checkout) error {
		if !locked.Verified {
			return &openflex.Error{Code: openflex.CodeVerifyRequired, Message: "sign in or apply first"}
		}
		locked.PlanID, locked.TermMonths = planID, months
		return nil
	})
}

// Confirm creates the authorization (captured at once when the checkout
// says so) and completes the checkout, in one transaction. Completing it is
// the customer's consent to the merchant (a card on file, see
// lending.Service.Authorize). Confirming a
// completed checkout again returns it unchanged: a refresh or a double
// click never creates a second authorization. The shopper's plan choice
// (nil: a regular purchase) is decided by lending, at the store's
// province, with its disclosure in lang.
func (s *Service) Confirm(ctx context.Context, c *openflex.Checkout, choice *lending.FinancingChoice, province openflex.Province, lang string) error {
	return s.Store.Write(ctx, func(ctx context.Context) error {
		locked, err := s.Store.Checkout(ctx, c.MerchantID, c.ID)
		if err != nil {
			return err
		}
		*c = *locked
		if locked.Status == openflex.CheckoutCompleted {
			return nil
		}
		if locked.Status != openflex.CheckoutOpen {
			return NotOpen(locked)
		}
		if !locked.Verified || locked.AccountNumber == "" {
			return &openflex.Error{Code: openflex.CodeVerifyRequired, Message: "sign in or apply first"}
		}
		if locked.VerificationID != "" {
			if err := s.Credit.ConsumeVerification(ctx, locked.MerchantID, locked.VerificationID, locked.AccountNumber); err != nil {
				return err
			}
		}
		v, err := s.Lending.Authorize(ctx, lending.AuthorizeRequest{MerchantID: locked.MerchantID, StoreID: locked.StoreID,
			AccountNumber: locked.AccountNumber, Amount: locked.Amount, Currency: openflex.CAD, Financing: choice,
			Province: province, Language: lang,
			AutoCapture: locked.AutoCapture, Reference: locked.Reference, Channel: "online", Items: locked.Items,
			Metadata: map[string]string{"checkout_id": locked.ID}, CheckoutID: locked.ID})
		if err != nil {
			return err
		}
		locked.AuthorizationID, locked.Status, locked.CompletedAt = v.ID, openflex.CheckoutCompleted, s.now()
		if err := s.Store.UpdateCheckout(ctx, locked); err != nil {
			return err
		}
		*c = *locked
		return s.emit(ctx, locked, "checkout.completed")
	})
}

// Cancel ends an open checkout at the shopper's request.
func (s *Service) Cancel(ctx context.Context, c *openflex.Checkout) error {
	return s.end(ctx, c, openflex.CheckoutCancelled)
}

func (s *Service) end(ctx context.Context, c *openflex.Checkout, status openflex.CheckoutStatus) error {
	return s.update(ctx, c, func(ctx context.Context, locked *openflex.Checkout) error {
		locked.Status, locked.CompletedAt = status, s.now()
		return s.emit(ctx, locked, "checkout."+string(status))
	})
}

// ExpireDue expires open checkouts past their hour.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	due, err := s.Store.OpenCheckoutsExpiring(ctx, s.now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range due {
		err := s.end(ctx, c, openflex.CheckoutExpired)
		if err == nil {
			n++
		} else if openflex.ErrorCode(err) != openflex.CodeCheckoutNotOpen {
			return n, err
		}
	}
	return n, nil
}

func (s *Service) emit(ctx context.Context, c *openflex.Checkout, typ string) error {
	if s.Render == nil {
		return nil
	}
	b, err := s.Render(c)
	if err != nil {
		return err
	}
	return s.Store.AppendEvent(ctx, &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: c.MerchantID, Type: typ, Object: b, Created: s.now()})
}
