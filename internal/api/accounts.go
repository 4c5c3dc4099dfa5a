package api

import (
	"context"
	"net/http"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
)

type accountJSON struct {
	AccountNumber   string `json:"account_number"`
	Object          string `json:"object"`
	Environment     string `json:"environment"`
	Created         string `json:"created"`
	Status          string `json:"status"`
	FirstName       string `json:"first_name"`
	LastInitial     string `json:"last_initial"`
	CreditLimit     int64  `json:"credit_limit"`
	AvailableCredit int64  `json:"available_credit"`
	Currency        string `json:"currency"`
	Province        string `json:"province"`
	Language        string `json:"language"`
	RiskCategory    string `json:"risk_category"`
}

// accountOut is the merchant's view of an account: never the date of
// birth, address, SIN, full last name or bureau data.
func accountOut(env openflex.Environment, a *openflex.Account) accountJSON {
	initial := ""
	for _, r := range a.LastName {
		initial = string(r)
		break
	}
	return accountJSON{AccountNumber: a.Number, Object: "account", Environment: string(env), Created: rfc3339(a.Created),
		Status: string(a.Status), FirstName: a.FirstName, LastInitial: initial, CreditLimit: a.CreditLimit,
		AvailableCredit: a.Available(), Currency: string(a.Currency), Province: string(a.Province), Language: a.Language,
		RiskCategory: string(a.RiskCategory)}
}

// accountWithConsent is GET /v1/accounts/{number}: the account and the
// calling merchant's own consent on it (null: it holds none, so online
// purchases need a checkout or a verification).
type accountWithConsent struct {
	accountJSON
	Consent *consentJSON `json:"consent"`
}

type consentJSON struct {
	ID             string  `json:"id"`
	Object         string  `json:"object"`
	Environment    string  `json:"environment"`
	Created        string  `json:"created"`
	AccountNumber  string  `json:"account_number"`
	Status         string  `json:"status"`
	Source         string  `json:"source"`
	CheckoutID     *string `json:"checkout_id"`
	VerificationID *string `json:"verification_id"`
	ApplicationID  *string `json:"application_id"`
	RevokedAt      *string `json:"revoked_at"`
	RevokedBy      *string `json:"revoked_by"`
	RevokeReason   *string `json:"revoke_reason"`
}

func consentOut(env openflex.Environment, c *openflex.AccountConsent) *consentJSON {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	out := &consentJSON{ID: c.ID, Object: "consent", Environment: string(env), Created: rfc3339(c.Created), AccountNumber: c.AccountNumber,
		Status: "active", Source: c.Source, CheckoutID: opt(c.CheckoutID), VerificationID: opt(c.VerificationID), ApplicationID: opt(c.ApplicationID)}
	if !c.Active() {
		at := rfc3339(c.RevokedAt)
		out.Status, out.RevokedAt, out.RevokedBy, out.RevokeReason = "revoked", &at, opt(c.RevokedBy), opt(c.RevokeReason)
	}
	return out
}

// accountNumber is the {number} of an account route, checked before any
// lookup and named as the path names it.
func accountNumber(r *http.Request) (string, error) {
	n := r.PathValue("number")
	if !openflex.ValidAccountNumber(n) {
		return "", &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "number", Message: "number must be an account number: 14 digits with a valid check digit"}
	}
	return n, nil
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if _, err := accountNumber(r); err != nil {
		return err
	}
	a, err := s.cfg.Planes[p.Env].Credit.Account(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	out := accountWithConsent{accountJSON: accountOut(p.Env, a)}
	c, err := s.cfg.Planes[p.Env].Lending.Consent(r.Context(), p.MerchantID, a.Number)
	if err != nil {
		return err
	}
	if c != nil {
		out.Consent = consentOut(p.Env, c)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// revokeConsent ends the calling merchant's consent on an account. With a
// verification the customer passed it is the customer's revocation
// (revoked_by customer: a merchant relays it, e.g. from a "remove this
// payment method" page); without one the merchant gives up its own consent
// (revoked_by merchant). Either way only this merchant's consent ends.
func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		Verification *struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		} `json:"verification"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	number, err := accountNumber(r)
	if err != nil {
		return err
	}
	req := lending.RevokeRequest{MerchantID: p.MerchantID, AccountNumber: number, By: openflex.RevokedByMerchant, Reason: in.Reason}
	var probs openflex.Problems
	if len(in.Reason) > 500 {
		probs.Invalid("reason", "reason must be at most 500 characters")
	}
	var prepare func(ctx context.Context) error
	if v := in.Verification; v != nil {
		checkVerification(&probs, v.ID, v.Code)
		req.By, req.VerificationID = openflex.RevokedByCustomer, v.ID
		prepare = func(ctx context.Context) error {
			return s.cfg.Planes[p.Env].Credit.CheckVerification(ctx, p.MerchantID, v.ID, v.Code, number)
		}
	}
	if err := probs.Err(); err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Prepare: prepare, Effect: func(ctx context.Context) (int, any, error) {
		c, err := s.cfg.Planes[p.Env].Lending.RevokeConsent(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, consentOut(p.Env, c), nil
	}})
}

func (s *Server) searchCustomers(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "first_name", "last_name", "date_of_birth", "postal_code":
		default:
			return &openflex.Error{Code: openflex.CodeUnknownParameter, Param: k, Message: "unknown parameter " + k}
		}
	}
	accts, err := s.cfg.Planes[p.Env].Credit.Search(r.Context(), q.Get("first_name"), q.Get("last_name"), q.Get("date_of_birth"), q.Get("postal_code"))
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(accts))
	for i, a := range accts {
		out[i] = accountOut(p.Env, a)
	}
	writeJSON(w, http.StatusOK, list(out, false))
	return nil
}

type verificationJSON struct {
	ID            string `json:"id"`
	Object        string `json:"object"`
	Environment   string `json:"environment"`
	Created       string `json:"created"`
	AccountNumber string `json:"account_number"`
	Channel       string `json:"channel"`
	SentTo        string `json:"sent_to"`
	ExpiresAt     string `json:"expires_at"`
}

func (s *Server) createVerification(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if _, err := accountNumber(r); err != nil {
		return err
	}
	var in struct {
		Channel string `json:"channel"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	if in.Channel == "" {
		return &openflex.Error{Code: openflex.CodeParameterMissing, Param: "channel", Message: "channel is required: sms or email"}
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		v, err := s.cfg.Planes[p.Env].Credit.StartVerification(ctx, p.MerchantID, p.KeySet.ID, r.PathValue("number"), in.Channel)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, verificationJSON{ID: v.ID, Object: "verification", Environment: string(p.Env), Created: rfc3339(v.Created),
			AccountNumber: v.AccountNumber, Channel: v.Channel, SentTo: v.SentTo, ExpiresAt: rfc3339(v.ExpiresAt)}, nil
	}})
}
