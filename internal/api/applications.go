package api

import (
	"context"
	"net/http"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
)

type addressIn struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Province   string `json:"province"`
	PostalCode string `json:"postal_code"`
}

type applicantIn struct {
	FirstName          string    `json:"first_name"`
	MiddleName         string    `json:"middle_name"`
	LastName           string    `json:"last_name"`
	DateOfBirth        string    `json:"date_of_birth"`
	Email              string    `json:"email"`
	Phone              string    `json:"phone"`
	Address            addressIn `json:"address"`
	AnnualIncome       *int64    `json:"annual_income"`
	EmploymentStatus   string    `json:"employment_status"`
	HousingStatus      string    `json:"housing_status"`
	MonthlyHousingCost *int64    `json:"monthly_housing_cost"`
	SIN                string    `json:"sin"`
}

type applicationIn struct {
	StoreID         string      `json:"store_id"`
	Applicant       applicantIn `json:"applicant"`
	RequestedAmount int64       `json:"requested_amount"`
	Consent         struct {
		CreditCheck   bool `json:"credit_check"`
		TermsAccepted bool `json:"terms_accepted"`
	} `json:"consent"`
	Language string `json:"language"`
}

type reasonJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type applicationJSON struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	Environment     string       `json:"environment"`
	Created         string       `json:"created"`
	Status          string       `json:"status"`
	Reasons         []reasonJSON `json:"reasons"`
	StoreID         string       `json:"store_id"`
	RequestedAmount *int64       `json:"requested_amount"`
	CreditLimit     *int64       `json:"credit_limit"`
	RiskCategory    *string      `json:"risk_category"`
	Account         *accountJSON `json:"account"`
}

func applicationOut(env openflex.Environment, a *openflex.Application, acct *openflex.Account, lang string) applicationJSON {
	out := applicationJSON{ID: a.ID, Object: "application", Environment: string(env), Created: rfc3339(a.Created),
		Status: string(a.Status), Reasons: []reasonJSON{}, StoreID: a.StoreID}
	for _, r := range a.Reasons {
		msg := r.Message
		if lang == "fr" {
			msg = credit.ReasonMessage(r.Code, "fr")
		}
		out.Reasons = append(out.Reasons, reasonJSON{Code: r.Code, Message: msg})
	}
	if a.RequestedAmount > 0 {
		out.RequestedAmount = &a.RequestedAmount
	}
	if a.Status == openflex.ApplicationApproved {
		limit, risk := a.CreditLimit, string(a.RiskCategory)
		out.CreditLimit, out.RiskCategory = &limit, &risk
	}
	if acct != nil {
		ao := accountOut(env, acct)
		out.Account = &ao
	}
	return out
}

func lang(r *http.Request) string {
	if wantsFrench(r) {
		return "fr"
	}
	return "en"
}

func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in applicationIn
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	var probs openflex.Problems
	loc := time.UTC
	if in.StoreID == "" {
		probs.Missing("store_id")
	} else if st, err := s.cfg.Control.Store(r.Context(), p.MerchantID, in.StoreID); err != nil {
		if openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			return err
		}
		probs.Invalid("store_id", "store_id %q is not one of your stores", in.StoreID)
	} else {
		loc = st.Location() // ages are counted on the store's calendar
	}
	if in.Applicant.AnnualIncome == nil {
		probs.Missing("applicant.annual_income")
	}
	if in.Applicant.MonthlyHousingCost == nil {
		probs.Missing("applicant.monthly_housing_cost")
	}
	if in.Language != "" && in.Language != "en" && in.Language != "fr" {
		probs.Invalid("language", "language must be en or fr")
	}
	a := in.Applicant
	req := credit.ApplyRequest{
		MerchantID: p.MerchantID, StoreID: in.StoreID, RequestedAmount: in.RequestedAmount, Language: in.Language,
		Consent: openflex.Consent{CreditCheck: in.Consent.CreditCheck, TermsAccepted: in.Consent.TermsAccepted, IP: s.clientIP(r).String()},
		Applicant: openflex.Applicant{FirstName: a.FirstName, MiddleName: a.MiddleName, LastName: a.LastName, DateOfBirth: a.DateOfBirth,
			Email: a.Email, Phone: a.Phone, EmploymentStatus: a.EmploymentStatus, HousingStatus: a.HousingStatus, SIN: a.SIN,
			Address: openflex.Address{Line1: a.Address.Line1, Line2: a.Address.Line2, City: a.Address.City,
				Province: openflex.Province(a.Address.Province), PostalCode: a.Address.PostalCode}},
	}
	if req.Language == "" {
		req.Language = lang(r)
	}
	if a.AnnualIncome != nil {
		req.Applicant.AnnualIncome = *a.AnnualIncome
	}
	if a.MonthlyHousingCost != nil {
		req.Applicant.MonthlyHousingCost = *a.MonthlyHousingCost
	}
	svc := s.cfg.Credit(p.Env)
	// Field problems found here and by the domain are reported together.
	req.Location = loc
	if err := credit.ValidateApplicant(&req.Applicant, req.Consent, req.RequestedAmount, s.cfg.Now().In(loc)); err != nil {
		if e, ok := err.(*openflex.Error); ok {
			probs = append(probs, e.Fields...)
		} else {
			return err
		}
	}
	if err := probs.Err(); err != nil {
		return err
	}
	var prepared *credit.Prepared
	return s.idempotent(w, r, body, writeOp{
		Prepare: func(ctx context.Context) (err error) {
			prepared, err = svc.Prepare(ctx, req)
			return err
		},
		Effect: func(ctx context.Context) (int, any, error) {
			app, acct, err := svc.Commit(ctx, prepared)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, applicationOut(p.Env, app, acct, lang(r)), nil
		}})
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	app, acct, err := s.cfg.Credit(p.Env).Application(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationOut(p.Env, app, acct, lang(r)))
	return nil
}

// decideApplication is the TRAINING test helper that settles a pending
// application as lender staff would.
func (s *Server) decideApplication(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if p.Env != openflex.Training {
		return openflex.Errorf(openflex.CodeResourceMissing, "unrecognised request URL (%s %s)", r.Method, r.URL.Path)
	}
	var in struct {
		Status      string `json:"status"`
		CreditLimit int64  `json:"credit_limit"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	if in.Status != "approved" && in.Status != "declined" {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "status", Message: "status must be approved or declined"}
	}
	if fe := openflex.CheckAmount("credit_limit", in.CreditLimit, true); fe != nil {
		return (&openflex.Problems{*fe}).Err()
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		app, acct, err := s.cfg.Credit(p.Env).Decide(ctx, p.MerchantID, r.PathValue("id"), openflex.ApplicationStatus(in.Status), in.CreditLimit)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, applicationOut(p.Env, app, acct, lang(r)), nil
	}})
}
