package api

import (
	"context"
	"net/http"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/settlement"
)

type settlementTotalsJSON struct {
	GrossAmount      int64 `json:"gross_amount"`
	ReturnsAmount    int64 `json:"returns_amount"`
	FeesAmount       int64 `json:"fees_amount"`
	FeeRefundsAmount int64 `json:"fee_refunds_amount"`
	PaymentsAmount   int64 `json:"payments_amount"`
	NetAmount        int64 `json:"net_amount"`
	LineCount        int64 `json:"line_count"`
}

func totalsOut(t openflex.SettlementTotals) settlementTotalsJSON {
	return settlementTotalsJSON{GrossAmount: t.Gross, ReturnsAmount: t.Returns, FeesAmount: t.Fees, FeeRefundsAmount: t.FeeRefunds,
		PaymentsAmount: t.Payments, NetAmount: t.Net(), LineCount: t.Lines}
}

type settlementStoreJSON struct {
	StoreID string `json:"store_id"`
	settlementTotalsJSON
}

type settlementJSON struct {
	ID           string `json:"id"`
	Object       string `json:"object"`
	Environment  string `json:"environment"`
	BusinessDate string `json:"business_date"`
	Status       string `json:"status"`
	Currency     string `json:"currency"`
	settlementTotalsJSON
	CarriedInAmount int64                 `json:"carried_in_amount"`
	PayoutAmount    int64                 `json:"payout_amount"`
	Stores          []settlementStoreJSON `json:"stores"`
	ClosedAt        *string               `json:"closed_at"`
	PaidAt          *string               `json:"paid_at"`
}

func settlementOut(env openflex.Environment, s *openflex.Settlement) settlementJSON {
	out := settlementJSON{ID: s.ID, Object: "settlement", Environment: string(env), BusinessDate: s.BusinessDate, Status: string(s.Status),
		Currency: "CAD", settlementTotalsJSON: totalsOut(s.SettlementTotals), CarriedInAmount: s.CarriedIn, PayoutAmount: max(s.Amount(), 0),
		Stores: []settlementStoreJSON{}}
	for _, st := range s.Stores {
		out.Stores = append(out.Stores, settlementStoreJSON{StoreID: st.StoreID, settlementTotalsJSON: totalsOut(st.SettlementTotals)})
	}
	if !s.ClosedAt.IsZero() {
		v := rfc3339(s.ClosedAt)
		out.ClosedAt = &v
	}
	if !s.PaidAt.IsZero() {
		v := rfc3339(s.PaidAt)
		out.PaidAt = &v
	}
	return out
}

type settlementLineJSON struct {
	ID              string  `json:"id"`
	Object          string  `json:"object"`
	Environment     string  `json:"environment"`
	Created         string  `json:"created"`
	Type            string  `json:"type"`
	StoreID         string  `json:"store_id"`
	Amount          int64   `json:"amount"`
	FeeAmount       int64   `json:"fee_amount"`
	NetAmount       int64   `json:"net_amount"`
	Currency        string  `json:"currency"`
	AuthorizationID string  `json:"authorization_id"`
	CaptureID       string  `json:"capture_id"`
	Reference       string  `json:"reference"`
	ReturnID        *string `json:"return_id"`
	SettlementID    string  `json:"settlement_id"`
}

func settlementLineOut(env openflex.Environment, settlementID string, l *openflex.SettlementLine) settlementLineJSON {
	out := settlementLineJSON{ID: l.ID, Object: "settlement_line", Environment: string(env), Created: rfc3339(l.Created), Type: string(l.Type),
		StoreID: l.StoreID, Amount: l.Amount, FeeAmount: l.Fee, NetAmount: l.Net(), Currency: "CAD", AuthorizationID: l.AuthorizationID,
		Reference: l.Reference, CaptureID: l.CaptureID, SettlementID: settlementID}
	if l.ReturnID != "" {
		out.ReturnID = &l.ReturnID
	}
	return out
}

func (s *Server) listSettlements(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := settlement.Filter{From: q.Get("from"), To: q.Get("to"), Status: openflex.SettlementStatus(q.Get("status")), StoreID: q.Get("store_id")}
	var probs openflex.Problems
	if f.From != "" && !settlement.ValidDate(f.From) {
		probs.Invalid("from", "from must be a business date YYYY-MM-DD")
	}
	if f.To != "" && !settlement.ValidDate(f.To) {
		probs.Invalid("to", "to must be a business date YYYY-MM-DD")
	}
	switch f.Status {
	case "", openflex.SettlementOpen, openflex.SettlementPending, openflex.SettlementPaid, openflex.SettlementCarriedForward:
	default:
		probs.Invalid("status", "status must be open, pending, paid or carried_forward")
	}
	if err := probs.Err(); err != nil {
		return err
	}
	sts, more, err := s.cfg.Planes[p.Env].Settlements.List(r.Context(), p.MerchantID, f, lp)
	if err != nil {
		return err
	}
	out := make([]settlementJSON, len(sts))
	for i, st := range sts {
		out[i] = settlementOut(p.Env, st)
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

// closeSettlements is TRAINING's "close the day": the caller's open days,
// today's included, are cut now and paid, newest first in the answer.
func (s *Server) closeSettlements(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if p.Env != openflex.Training {
		return openflex.Errorf(openflex.CodeResourceMissing, "unrecognised request URL (%s %s)", r.Method, r.URL.Path)
	}
	var in struct{}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		closed, err := s.cfg.Planes[p.Env].Settlements.CloseNow(ctx, p.MerchantID)
		if err != nil {
			return 0, nil, err
		}
		out := make([]settlementJSON, len(closed))
		for i, st := range closed {
			out[len(closed)-1-i] = settlementOut(p.Env, st)
		}
		return http.StatusOK, list(out, false), nil
	}})
}

func (s *Server) getSettlement(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	st, err := s.cfg.Planes[p.Env].Settlements.Get(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settlementOut(p.Env, st))
	return nil
}

func (s *Server) listSettlementLines(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	st, err := s.cfg.Planes[p.Env].Settlements.Get(r.Context(), p.MerchantID, id)
	if err != nil {
		return err
	}
	lines, more, err := s.cfg.Planes[p.Env].Settlements.Lines(r.Context(), p.MerchantID, st.ID, lp)
	if err != nil {
		return err
	}
	out := make([]settlementLineJSON, len(lines))
	for i, l := range lines {
		out[i] = settlementLineOut(p.Env, st.ID, l)
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

func (s *Server) settlementCSV(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	st, body, err := s.cfg.Planes[p.Env].Settlements.CSV(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="settlement-`+st.BusinessDate+`-`+string(p.Env)+`.csv"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}
