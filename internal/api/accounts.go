package api

import (
	"context"
	"net/http"

	"github.com/openflex/openflex"
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

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	a, err := s.cfg.Credit(p.Env).Account(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, accountOut(p.Env, a))
	return nil
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
	accts, err := s.cfg.Credit(p.Env).Search(r.Context(), q.Get("first_name"), q.Get("last_name"), q.Get("date_of_birth"), q.Get("postal_code"))
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
		v, err := s.cfg.Credit(p.Env).StartVerification(ctx, p.MerchantID, p.KeySet.ID, r.PathValue("number"), in.Channel)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, verificationJSON{ID: v.ID, Object: "verification", Environment: string(p.Env), Created: rfc3339(v.Created),
			AccountNumber: v.AccountNumber, Channel: v.Channel, SentTo: v.SentTo, ExpiresAt: rfc3339(v.ExpiresAt)}, nil
	}})
}
