package api

import (
	"context"
	"net/http"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/checkout"
)

type checkoutJSON struct {
	ID              string  `json:"id"`
	Object          string  `json:"object"`
	Environment     string  `json:"environment"`
	Created         string  `json:"created"`
	Status          string  `json:"status"`
	Amount          int64   `json:"amount"`
	Currency        string  `json:"currency"`
	StoreID         string  `json:"store_id"`
	Reference       string  `json:"reference"`
	Flow            string  `json:"flow"`
	AutoCapture     bool    `json:"auto_capture"`
	SuccessURL      string  `json:"success_url"`
	CancelURL       string  `json:"cancel_url"`
	Language        *string `json:"language"`
	ExpiresAt       string  `json:"expires_at"`
	URL             *string `json:"url,omitempty"`
	AuthorizationID *string `json:"authorization_id"`
	ApplicationID   *string `json:"application_id"`
	AccountNumber   *string `json:"account_number"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func checkoutOut(env openflex.Environment, c *openflex.Checkout, url string) checkoutJSON {
	return checkoutJSON{ID: c.ID, Object: "checkout", Environment: string(env), Created: rfc3339(c.Created), Status: string(c.Status),
		Amount: c.Amount, Currency: string(c.Currency), StoreID: c.StoreID, Reference: c.Reference, Flow: c.Flow,
		AutoCapture: c.AutoCapture, SuccessURL: c.SuccessURL, CancelURL: c.CancelURL, Language: optional(c.Language),
		ExpiresAt: rfc3339(c.ExpiresAt), URL: optional(url), AuthorizationID: optional(c.AuthorizationID),
		ApplicationID: optional(c.ApplicationID), AccountNumber: optional(c.AccountNumber)}
}

func (s *Server) createCheckout(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct {
		Amount      int64                     `json:"amount"`
		Currency    string                    `json:"currency"`
		StoreID     string                    `json:"store_id"`
		Reference   string                    `json:"reference"`
		Items       []itemIn                  `json:"items"`
		Customer    openflex.CheckoutCustomer `json:"customer"`
		Flow        string                    `json:"flow"`
		AutoCapture bool                      `json:"auto_capture"`
		SuccessURL  string                    `json:"success_url"`
		CancelURL   string                    `json:"cancel_url"`
		Language    string                    `json:"language"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	if in.StoreID == "" {
		return &openflex.Error{Code: openflex.CodeParameterMissing, Param: "store_id", Message: "store_id is required"}
	}
	if _, err := s.cfg.Control.Store(r.Context(), p.MerchantID, in.StoreID); openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "store_id", Message: "store_id is not one of your stores"}
	} else if err != nil {
		return err
	}
	req := checkout.CreateRequest{KeySet: p.KeySet, StoreID: in.StoreID, Amount: in.Amount, Currency: openflex.Currency(in.Currency),
		Reference: in.Reference, Customer: in.Customer, Flow: in.Flow, AutoCapture: in.AutoCapture, SuccessURL: in.SuccessURL,
		CancelURL: in.CancelURL, Language: in.Language}
	var probs openflex.Problems
	if req.Items, probs = lineItems(in.Items); len(probs) > 0 {
		return probs.Err()
	}
	svc := s.cfg.Checkouts(p.Env)
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		c, token, err := svc.Create(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, checkoutOut(p.Env, c, svc.URL(token)), nil
	}})
}

func (s *Server) getCheckout(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	c, err := s.cfg.Checkouts(p.Env).Get(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, checkoutOut(p.Env, c, ""))
	return nil
}

// cancelCheckout lets the merchant close an open checkout (the order was
// abandoned or paid another way), so the shopper can no longer complete it.
func (s *Server) cancelCheckout(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct{}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	svc := s.cfg.Checkouts(p.Env)
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		c, err := svc.Get(ctx, p.MerchantID, r.PathValue("id"))
		if err != nil {
			return 0, nil, err
		}
		if err := svc.Cancel(ctx, c); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, checkoutOut(p.Env, c, ""), nil
	}})
}
