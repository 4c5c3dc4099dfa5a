package api

import (
	"net/http"
	"strconv"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/plans"
)

// promotions is GET /v1/public/promotions?client_id=&amount=: the "as low
// as $X/month" of a merchant's cheapest plan, for the drop-in's promo
// messaging. It takes no secret (the Client ID is public) and answers CORS
// only for the key set's Trust URLs.
func (s *Server) promotions(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkRequest(r); err != nil {
		return err
	}
	q := r.URL.Query()
	ks, err := s.cfg.Keys.Store.KeySetByClientID(r.Context(), q.Get("client_id"))
	if err != nil || !ks.Active() {
		return openflex.NotFound("client", q.Get("client_id"))
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		if !keys.URLTrusted(ks.TrustURLs, origin) {
			return openflex.Errorf(openflex.CodeURLNotTrusted, "this origin is not a Trust URL of the key set")
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Vary", "Origin")
	}
	if q.Get("amount") == "" {
		return &openflex.Error{Code: openflex.CodeParameterMissing, Param: "amount", Message: "amount is required: the price in cents"}
	}
	amount, err := strconv.ParseInt(q.Get("amount"), 10, 64)
	if err != nil {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "amount", Message: "amount must be a whole number of cents"}
	}
	if fe := openflex.CheckAmount("amount", amount, false); fe != nil {
		return (&openflex.Problems{*fe}).Err()
	}
	all, err := s.cfg.Data(ks.Environment).Plans(r.Context(), ks.MerchantID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	monthly, plan, term, ok := plans.AsLowAs(all, ks.Environment, amount)
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"object": "promotion", "environment": string(ks.Environment), "available": false, "amount": amount})
		return nil
	}
	q2, err := finance.NewQuote(amount, plans.Terms(plan, term), lang(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "promotion", "environment": string(ks.Environment), "available": true,
		"amount": amount, "currency": "CAD", "monthly_payment": monthly, "plan_id": plan.ID, "plan_name": plan.NameIn(lang(r)),
		"term_months": term.Months, "apr": q2.APR.String(), "disclosure": q2.Disclosure})
	return nil
}

// promotionsPreflight answers CORS pre-flights for Trust URL origins only.
func (s *Server) promotionsPreflight(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.cfg.Keys.Store.KeySetByClientID(r.Context(), r.URL.Query().Get("client_id"))
	origin := r.Header.Get("Origin")
	if err != nil || origin == "" || !keys.URLTrusted(ks.TrustURLs, origin) {
		w.WriteHeader(http.StatusForbidden)
		return nil
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Methods", "GET")
	w.Header().Set("Access-Control-Allow-Headers", "Accept-Language")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.Header().Set("Vary", "Origin")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
