package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/lending"
)

type captureJSON struct {
	ID              string `json:"id"`
	Object          string `json:"object"`
	Environment     string `json:"environment"`
	Created         string `json:"created"`
	AuthorizationID string `json:"authorization_id"`
	Amount          int64  `json:"amount"`
	ReturnedAmount  int64  `json:"returned_amount"`
	RemainingAmount int64  `json:"remaining_amount"`
	Currency        string `json:"currency"`
	StoreID         string `json:"store_id"`
	AccountNumber   string `json:"account_number"`
	Reference       string `json:"reference"`
}

func captureOut(env openflex.Environment, c *openflex.Capture) captureJSON {
	return captureJSON{ID: c.ID, Object: "capture", Environment: string(env), Created: rfc3339(c.Created), AuthorizationID: c.AuthorizationID,
		Amount: c.Amount, ReturnedAmount: c.ReturnedAmount, RemainingAmount: c.Amount - c.ReturnedAmount, Currency: "CAD",
		StoreID: c.StoreID, AccountNumber: c.AccountNumber, Reference: c.Reference}
}

type financingJSON struct {
	PlanID     string `json:"plan_id"`
	TermMonths int    `json:"term_months"`
	Disclosure string `json:"disclosure,omitempty"`
}

type itemJSON struct {
	SKU         string `json:"sku"`
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitPrice   int64  `json:"unit_price"`
}

// itemIn is a line item as sent: every member is required (the document's
// one LineItem schema, for authorizations and checkouts alike), so absence
// is told from a zero.
type itemIn struct {
	SKU         *string `json:"sku"`
	Description *string `json:"description"`
	Quantity    *int64  `json:"quantity"`
	UnitPrice   *int64  `json:"unit_price"`
}

// lineItems turns the items sent into the domain's, reporting each
// missing member.
func lineItems(in []itemIn) ([]openflex.LineItem, openflex.Problems) {
	var out []openflex.LineItem
	var probs openflex.Problems
	for i, it := range in {
		param := fmt.Sprintf("items[%d]", i)
		var li openflex.LineItem
		if it.SKU == nil {
			probs.Missing(param + ".sku")
		} else {
			li.SKU = *it.SKU
		}
		if it.Description == nil {
			probs.Missing(param + ".description")
		} else {
			li.Description = *it.Description
		}
		if it.Quantity == nil {
			probs.Missing(param + ".quantity")
		} else {
			li.Quantity = *it.Quantity
		}
		if it.UnitPrice == nil {
			probs.Missing(param + ".unit_price")
		} else {
			li.UnitPrice = *it.UnitPrice
		}
		out = append(out, li)
	}
	return out, probs
}

type taxesJSON struct {
	GSTHST int64 `json:"gst_hst"`
	PST    int64 `json:"pst"`
}

type authorizationJSON struct {
	ID              string            `json:"id"`
	Object          string            `json:"object"`
	Environment     string            `json:"environment"`
	Created         string            `json:"created"`
	Status          string            `json:"status"`
	Amount          int64             `json:"amount"`
	Currency        string            `json:"currency"`
	CapturedAmount  int64             `json:"captured_amount"`
	ReleasedAmount  int64             `json:"released_amount"`
	RemainingAmount int64             `json:"remaining_amount"`
	ReturnedAmount  int64             `json:"returned_amount"`
	ExpiresAt       string            `json:"expires_at"`
	AccountNumber   string            `json:"account_number"`
	StoreID         string            `json:"store_id"`
	Channel         string            `json:"channel"`
	Financing       *financingJSON    `json:"financing"`
	Reference       string            `json:"reference"`
	EmployeeID      string            `json:"employee_id,omitempty"`
	RegisterID      string            `json:"register_id,omitempty"`
	Items           []itemJSON        `json:"items"`
	Taxes           taxesJSON         `json:"taxes"`
	Metadata        map[string]string `json:"metadata"`
	Captures        []captureJSON     `json:"captures"`
}

func authorizationOut(env openflex.Environment, v *lending.AuthorizationView) authorizationJSON {
	a := v.Authorization
	out := authorizationJSON{ID: a.ID, Object: "authorization", Environment: string(env), Created: rfc3339(a.Created),
		Status: string(a.Status), Amount: a.Amount, Currency: string(a.Currency), CapturedAmount: a.CapturedAmount,
		ReleasedAmount: a.ReleasedAmount, RemainingAmount: a.Remaining(), ReturnedAmount: a.ReturnedAmount,
		ExpiresAt: rfc3339(a.ExpiresAt), AccountNumber: a.AccountNumber, StoreID: a.StoreID, Channel: a.Channel,
		Reference: a.Reference, EmployeeID: a.EmployeeID, RegisterID: a.RegisterID, Items: []itemJSON{},
		Taxes: taxesJSON{GSTHST: a.TaxGSTHST, PST: a.TaxPST}, Metadata: a.Metadata, Captures: []captureJSON{}}
	if out.Metadata == nil {
		out.Metadata = map[string]string{}
	}
	if f := a.Financing; f != nil {
		out.Financing = &financingJSON{PlanID: f.PlanID, TermMonths: f.TermMonths, Disclosure: f.Disclosure}
	}
	for _, it := range a.Items {
		out.Items = append(out.Items, itemJSON(it))
	}
	for _, c := range v.Captures {
		out.Captures = append(out.Captures, captureOut(env, c))
	}
	return out
}

type returnJSON struct {
	ID                           string `json:"id"`
	Object                       string `json:"object"`
	Environment                  string `json:"environment"`
	Created                      string `json:"created"`
	CaptureID                    string `json:"capture_id"`
	AuthorizationID              string `json:"authorization_id"`
	Amount                       int64  `json:"amount"`
	Currency                     string `json:"currency"`
	StoreID                      string `json:"store_id"`
	AccountNumber                string `json:"account_number"`
	Reference                    string `json:"reference"`
	Reason                       string `json:"reason"`
	RemainingCaptureAmount       *int64 `json:"remaining_capture_amount,omitempty"`
	RemainingAuthorizationAmount *int64 `json:"remaining_authorization_amount,omitempty"`
}

func returnOut(env openflex.Environment, r *openflex.Return, c *openflex.Capture, a *openflex.Authorization) returnJSON {
	out := returnJSON{ID: r.ID, Object: "return", Environment: string(env), Created: rfc3339(r.Created), CaptureID: r.CaptureID,
		AuthorizationID: r.AuthorizationID, Amount: r.Amount, Currency: "CAD", StoreID: r.StoreID, AccountNumber: r.AccountNumber,
		Reference: r.Reference, Reason: r.Reason}
	if c != nil {
		rc := c.Amount - c.ReturnedAmount
		out.RemainingCaptureAmount = &rc
	}
	if a != nil {
		ra := a.CapturedAmount - a.ReturnedAmount
		out.RemainingAuthorizationAmount = &ra
	}
	return out
}

type transactionJSON struct {
	ID              string  `json:"id"`
	Object          string  `json:"object"`
	Environment     string  `json:"environment"`
	Created         string  `json:"created"`
	Type            string  `json:"type"`
	Amount          int64   `json:"amount"`
	Currency        string  `json:"currency"`
	StoreID         string  `json:"store_id"`
	AccountNumber   string  `json:"account_number"`
	AuthorizationID string  `json:"authorization_id"`
	CaptureID       *string `json:"capture_id"`
	ReturnID        *string `json:"return_id"`
	Reference       string  `json:"reference"`
}

func transactionOut(env openflex.Environment, t *openflex.Transaction) transactionJSON {
	out := transactionJSON{ID: t.ID, Object: "transaction", Environment: string(env), Created: rfc3339(t.Created), Type: string(t.Type),
		Amount: t.Amount, Currency: "CAD", StoreID: t.StoreID, AccountNumber: t.AccountNumber, AuthorizationID: t.AuthorizationID, Reference: t.Reference}
	if t.CaptureID != "" {
		out.CaptureID = &t.CaptureID
	}
	if t.ReturnID != "" {
		out.ReturnID = &t.ReturnID
	}
	return out
}

// RenderEvent returns the API JSON of an event's object, for the outbox.
func RenderEvent(env openflex.Environment) func(v any) ([]byte, error) {
	return func(v any) ([]byte, error) {
		switch o := v.(type) {
		case *lending.AuthorizationView:
			return json.Marshal(authorizationOut(env, o))
		case *lending.ReturnResult:
			return json.Marshal(returnOut(env, o.Return, o.Capture, o.Authorization))
		case *openflex.Checkout:
			return json.Marshal(checkoutOut(env, o, ""))
		case *openflex.AccountConsent:
			return json.Marshal(consentOut(env, o))
		case *credit.ApplicationView:
			return json.Marshal(applicationOut(env, o.Application, o.Account, "en"))
		case *openflex.Settlement:
			return json.Marshal(settlementOut(env, o))
		}
		if out, ok := renderServicing(env, v); ok {
			return json.Marshal(out)
		}
		return json.Marshal(v)
	}
}

type authorizationIn struct {
	AccountNumber string `json:"account_number"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	StoreID       string `json:"store_id"`
	Financing     *struct {
		PlanID     string `json:"plan_id"`
		TermMonths int    `json:"term_months"`
	} `json:"financing"`
	AutoCapture  bool   `json:"auto_capture"`
	Reference    string `json:"reference"`
	Channel      string `json:"channel"`
	Verification *struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	} `json:"verification"`
	EmployeeID string            `json:"employee_id"`
	RegisterID string            `json:"register_id"`
	Items      []itemIn          `json:"items"`
	Taxes      *taxesJSON        `json:"taxes"`
	Metadata   map[string]string `json:"metadata"`
}

func (s *Server) createAuthorization(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in authorizationIn
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	var probs openflex.Problems
	req := lending.AuthorizeRequest{MerchantID: p.MerchantID, StoreID: in.StoreID, AccountNumber: in.AccountNumber, Amount: in.Amount,
		Currency: openflex.Currency(in.Currency), AutoCapture: in.AutoCapture, Reference: in.Reference, Channel: in.Channel,
		EmployeeID: in.EmployeeID, RegisterID: in.RegisterID, Metadata: in.Metadata}
	if in.Financing != nil {
		req.Financing, req.Language = &lending.FinancingChoice{PlanID: in.Financing.PlanID, TermMonths: in.Financing.TermMonths}, lang(r)
	}
	req.Items, probs = lineItems(in.Items)
	if in.Taxes != nil {
		req.TaxGSTHST, req.TaxPST = in.Taxes.GSTHST, in.Taxes.PST
	}
	if err := probs.Err(); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		probs = append(probs, err.(*openflex.Error).Fields...)
	}
	if in.StoreID != "" {
		if st, err := s.store(r.Context(), p.MerchantID, in.StoreID); openflex.ErrorCode(err) == openflex.CodeResourceMissing {
			probs.Invalid("store_id", "store_id %q is not one of your stores", in.StoreID)
		} else if err != nil {
			return err
		} else {
			req.Province = st.Province
		}
	}
	if in.Verification != nil {
		req.VerificationID = in.Verification.ID
		checkVerification(&probs, in.Verification.ID, in.Verification.Code)
	}
	if err := probs.Err(); err != nil {
		return err
	}
	creditSvc, lendingSvc := s.cfg.Planes[p.Env].Credit, s.cfg.Planes[p.Env].Lending
	var prepare func(ctx context.Context) error
	if in.Verification != nil {
		// The code is checked (and a wrong one counted) in its own
		// transaction; the purchase then consumes the passed verification.
		prepare = func(ctx context.Context) error {
			return creditSvc.CheckVerification(ctx, p.MerchantID, in.Verification.ID, in.Verification.Code, in.AccountNumber)
		}
	}
	return s.idempotent(w, r, body, writeOp{Prepare: prepare, Effect: func(ctx context.Context) (int, any, error) {
		v, err := lendingSvc.Authorize(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, authorizationOut(p.Env, v), nil
	}})
}

func (s *Server) getAuthorization(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	v, err := s.cfg.Planes[p.Env].Lending.Authorization(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, authorizationOut(p.Env, v))
	return nil
}

func (s *Server) listAuthorizations(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch openflex.AuthorizationStatus(q.Get("status")) {
	case "", openflex.AuthPending, openflex.AuthPartiallyCaptured, openflex.AuthCaptured, openflex.AuthReleased, openflex.AuthExpired:
	default:
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "status", Message: "status must be pending, partially_captured, captured, released or expired"}
	}
	if n := q.Get("account_number"); n != "" && !openflex.ValidAccountNumber(n) {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number", Message: "account_number must be 14 digits with a valid check digit"}
	}
	views, more, err := s.cfg.Planes[p.Env].Lending.Authorizations(r.Context(), p.MerchantID, lending.AuthorizationFilter{StoreID: q.Get("store_id"),
		AccountNumber: q.Get("account_number"), Status: q.Get("status"), Reference: q.Get("reference")}, lp)
	if err != nil {
		return err
	}
	out := make([]authorizationJSON, 0, len(views))
	for _, v := range views {
		out = append(out, authorizationOut(p.Env, v))
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

func (s *Server) createCapture(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct {
		// Amount left out captures what remains; a value sent is checked.
		Amount    *int64 `json:"amount"`
		Reference string `json:"reference"`
		Final     bool   `json:"final"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	amount, err := optionalAmount("amount", in.Amount)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		v, _, err := s.cfg.Planes[p.Env].Lending.Capture(ctx, p.MerchantID, r.PathValue("id"), amount, in.Reference, in.Final)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, authorizationOut(p.Env, v), nil
	}})
}

func (s *Server) releaseAuthorization(w http.ResponseWriter, r *http.Request) error {
	return s.endAuthorization(w, r, false)
}

func (s *Server) expireAuthorization(w http.ResponseWriter, r *http.Request) error {
	if principalOf(r.Context()).Env != openflex.Training {
		return openflex.Errorf(openflex.CodeResourceMissing, "unrecognised request URL (%s %s)", r.Method, r.URL.Path)
	}
	return s.endAuthorization(w, r, true)
}

func (s *Server) endAuthorization(w http.ResponseWriter, r *http.Request, expire bool) error {
	p := principalOf(r.Context())
	var in struct{}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		svc := s.cfg.Planes[p.Env].Lending
		end := svc.Release
		if expire {
			end = svc.Expire
		}
		v, err := end(ctx, p.MerchantID, r.PathValue("id"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, authorizationOut(p.Env, v), nil
	}})
}

func (s *Server) getCapture(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	c, err := s.cfg.Planes[p.Env].Lending.GetCapture(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, captureOut(p.Env, c))
	return nil
}

func (s *Server) listCaptures(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	caps, more, err := s.cfg.Planes[p.Env].Lending.Captures(r.Context(), p.MerchantID, r.URL.Query().Get("authorization_id"), lp)
	if err != nil {
		return err
	}
	out := make([]captureJSON, len(caps))
	for i, c := range caps {
		out[i] = captureOut(p.Env, c)
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

func (s *Server) createReturn(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	var in struct {
		Amount    *int64 `json:"amount"`
		Full      bool   `json:"full"`
		Reference string `json:"reference"`
		Reason    string `json:"reason"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	amount, err := optionalAmount("amount", in.Amount)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		res, err := s.cfg.Planes[p.Env].Lending.Return(ctx, lending.ReturnRequest{MerchantID: p.MerchantID, CaptureID: r.PathValue("id"),
			Amount: amount, Full: in.Full, Reference: in.Reference, Reason: in.Reason})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, returnOut(p.Env, res.Return, res.Capture, res.Authorization), nil
	}})
}

func (s *Server) getReturn(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	ret, err := s.cfg.Planes[p.Env].Lending.GetReturn(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, returnOut(p.Env, ret, nil, nil))
	return nil
}

func (s *Server) listReturns(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	rets, more, err := s.cfg.Planes[p.Env].Lending.Returns(r.Context(), p.MerchantID, r.URL.Query().Get("capture_id"), lp)
	if err != nil {
		return err
	}
	out := make([]returnJSON, len(rets))
	for i, ret := range rets {
		out[i] = returnOut(p.Env, ret, nil, nil)
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if t := q.Get("type"); t != "" {
		switch openflex.TransactionType(t) {
		case openflex.TxnAuthorization, openflex.TxnCapture, openflex.TxnRelease, openflex.TxnExpiry, openflex.TxnReturn:
		default:
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "type", Message: "type must be authorization, capture, release, expiry or return"}
		}
	}
	if n := q.Get("account_number"); n != "" && !openflex.ValidAccountNumber(n) {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number", Message: "account_number must be 14 digits with a valid check digit"}
	}
	txns, more, err := s.cfg.Planes[p.Env].Lending.Transactions(r.Context(), p.MerchantID, lending.TransactionFilter{StoreID: q.Get("store_id"),
		AccountNumber: q.Get("account_number"), Type: q.Get("type")}, lp)
	if err != nil {
		return err
	}
	out := make([]transactionJSON, len(txns))
	for i, t := range txns {
		out[i] = transactionOut(p.Env, t)
	}
	writeJSON(w, http.StatusOK, list(out, more))
	return nil
}

type summaryLine struct {
	Type   string `json:"type"`
	Count  int64  `json:"count"`
	Amount int64  `json:"amount"`
}

func (s *Server) storeSummary(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	st, err := s.cfg.Control.Store(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	loc := st.Location()
	date := r.URL.Query().Get("date")
	var day time.Time
	if date == "" {
		day = s.cfg.Now().In(loc)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	} else if day, err = time.ParseInLocation(time.DateOnly, date, loc); err != nil {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "date", Message: "date must be YYYY-MM-DD"}
	}
	next := day.AddDate(0, 0, 1) // the store's local day, 23 or 25 hours around DST changes
	totals, err := s.cfg.Planes[p.Env].Lending.StoreTotals(r.Context(), p.MerchantID, st.ID, day, next)
	if err != nil {
		return err
	}
	lines := []summaryLine{}
	var net int64
	for _, t := range totals {
		lines = append(lines, summaryLine{Type: string(t.Type), Count: t.Count, Amount: t.Amount})
		switch t.Type {
		case openflex.TxnCapture:
			net += t.Amount
		case openflex.TxnReturn:
			net -= t.Amount
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "store_summary", "environment": string(p.Env), "store_id": st.ID,
		"date": day.Format(time.DateOnly), "time_zone": st.TimeZone, "from": rfc3339(day), "to": rfc3339(next),
		"totals": lines, "net_amount": net, "currency": "CAD"})
	return nil
}

// pay is the TRAINING test helper for a customer's payment.
