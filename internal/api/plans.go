package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/plans"
)

type planTermJSON struct {
	Months             int    `json:"months"`
	AnnualInterestRate string `json:"annual_interest_rate"`
	AdminFee           int64  `json:"admin_fee"`
	AdminFeeType       string `json:"admin_fee_type"`
}

type planJSON struct {
	ID             string         `json:"id"`
	Object         string         `json:"object"`
	Environment    string         `json:"environment"`
	Created        string         `json:"created"`
	Name           string         `json:"name"`
	NameFR         *string        `json:"name_fr"`
	Category       string         `json:"category"`
	Terms          []planTermJSON `json:"terms"`
	MinAmount      int64          `json:"min_amount"`
	MaxAmount      *int64         `json:"max_amount"`
	Currency       string         `json:"currency"`
	Provinces      []string       `json:"provinces"`
	RiskCategories []string       `json:"risk_categories"`

	MerchantFee merchantFeeJSON `json:"merchant_fee"`
}

type merchantFeeJSON struct {
	RateBps          int64 `json:"rate_bps"`
	FixedAmount      int64 `json:"fixed_amount"`
	RefundedOnReturn bool  `json:"refunded_on_return"`
}

// PlanJSON is the API object of a plan (also printed by `openflex plan create`).
func PlanJSON(p *openflex.Plan) any { return planOut(p) }

func planOut(p *openflex.Plan) planJSON {
	out := planJSON{ID: p.ID, Object: "plan", Environment: string(p.Environment), Created: rfc3339(p.Created), Name: p.Name,
		Category: string(p.Category), MinAmount: p.MinAmount, Currency: "CAD", Provinces: []string{}, RiskCategories: []string{}}
	if p.NameFR != "" {
		out.NameFR = &p.NameFR
	}
	if p.MaxAmount > 0 {
		out.MaxAmount = &p.MaxAmount
	}
	for _, t := range p.Terms {
		out.Terms = append(out.Terms, planTermJSON{Months: t.Months, AnnualInterestRate: finance.Percent(t.AnnualRate).String(),
			AdminFee: t.AdminFee, AdminFeeType: t.FeeKind})
	}
	for _, pr := range p.Provinces {
		out.Provinces = append(out.Provinces, string(pr))
	}
	out.MerchantFee = merchantFeeJSON{RateBps: p.MerchantFee.Bps, FixedAmount: p.MerchantFee.Fixed, RefundedOnReturn: !p.MerchantFee.NoRefund}
	for _, rc := range p.RiskCategories {
		out.RiskCategories = append(out.RiskCategories, string(rc))
	}
	return out
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	all, err := s.cfg.Data(p.Env).Plans(r.Context(), p.MerchantID)
	if err != nil {
		return err
	}
	out := []planJSON{}
	// Newest first, like every list; ids sort by creation.
	slices.SortFunc(all, func(a, b *openflex.Plan) int { return strings.Compare(b.ID, a.ID) })
	for _, pl := range all {
		if pl.OfferedIn(p.Env) {
			out = append(out, planOut(pl))
		}
	}
	writeJSON(w, http.StatusOK, list(out, false))
	return nil
}

type optionJSON struct {
	PlanID               string `json:"plan_id"`
	PlanName             string `json:"plan_name"`
	Category             string `json:"category"`
	TermMonths           int    `json:"term_months"`
	MonthlyPayment       int64  `json:"monthly_payment"`
	NumberOfPayments     int    `json:"number_of_payments"`
	AnnualInterestRate   string `json:"annual_interest_rate"`
	APR                  string `json:"apr"`
	AdminFee             int64  `json:"admin_fee"`
	TotalCostOfBorrowing int64  `json:"total_cost_of_borrowing"`
	TotalToPay           int64  `json:"total_to_pay"`
	Disclosure           string `json:"disclosure"`
}

// optionOut is one quote option; its plan name and disclosure are in the
// language the request asked for.
func optionOut(o plans.Option, lng string) optionJSON {
	q := o.Quote
	return optionJSON{PlanID: o.Plan.ID, PlanName: o.Plan.NameIn(lng), Category: string(o.Plan.Category), TermMonths: o.Term.Months,
		MonthlyPayment: q.MonthlyPayment, NumberOfPayments: len(q.Payments), AnnualInterestRate: q.Terms.AnnualRate.String(),
		APR: q.APR.String(), AdminFee: o.Term.AdminFee, TotalCostOfBorrowing: q.TotalCostOfBorrowing, TotalToPay: q.TotalToPay,
		Disclosure: q.Disclosure}
}

// createQuote is POST /v1/accounts/{number}/quotes: every plan and term
// this customer may use at this store for this amount.
func (s *Server) createQuote(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if _, err := accountNumber(r); err != nil {
		return err
	}
	var in struct {
		Amount  *int64 `json:"amount"`
		StoreID string `json:"store_id"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	var probs openflex.Problems
	var amount int64
	if in.Amount == nil {
		probs.Missing("amount")
	} else {
		amount = *in.Amount
		probs.Add(openflex.CheckAmount("amount", amount, false))
	}
	var store *openflex.Store
	if in.StoreID == "" {
		probs.Missing("store_id")
	} else if store, err = s.cfg.Control.Store(r.Context(), p.MerchantID, in.StoreID); openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		probs.Invalid("store_id", "store_id %q is not one of your stores", in.StoreID)
	} else if err != nil {
		return err
	}
	if err := probs.Err(); err != nil {
		return err
	}
	// A quote moves nothing, but it takes an Idempotency-Key like every
	// POST: a retry gets the answer the first request had (the options and
	// available credit of that moment).
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		acct, err := s.cfg.Credit(p.Env).Account(ctx, r.PathValue("number"))
		if err != nil {
			return 0, nil, err
		}
		all, err := s.cfg.Data(p.Env).Plans(ctx, p.MerchantID)
		if err != nil {
			return 0, nil, err
		}
		opts, err := plans.Options(all, p.Env, acct, store.Province, amount, lang(r))
		if err != nil {
			return 0, nil, err
		}
		out := []optionJSON{}
		for _, o := range opts {
			out = append(out, optionOut(o, lang(r)))
		}
		return http.StatusOK, quoteJSON{ID: openflex.NewID(openflex.PrefixQuote), Object: "quote", Environment: string(p.Env),
			Created: rfc3339(s.cfg.Now()), AccountNumber: acct.Number, Amount: amount, Currency: "CAD", StoreID: store.ID,
			AvailableCredit: acct.Available(), Options: out}, nil
	}})
}

// quoteJSON is a quote, its members in the order of every other object.
type quoteJSON struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	Environment     string       `json:"environment"`
	Created         string       `json:"created"`
	AccountNumber   string       `json:"account_number"`
	Amount          int64        `json:"amount"`
	Currency        string       `json:"currency"`
	StoreID         string       `json:"store_id"`
	AvailableCredit int64        `json:"available_credit"`
	Options         []optionJSON `json:"options"`
}
