package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing/engine"
)

type allocationJSON struct {
	Segment string `json:"segment"`
	Bucket  string `json:"bucket"`
	Amount  int64  `json:"amount"`
}

type paymentJSON struct {
	ID              string           `json:"id"`
	Object          string           `json:"object"`
	Environment     string           `json:"environment"`
	Created         string           `json:"created"`
	AccountNumber   string           `json:"account_number"`
	Amount          int64            `json:"amount"`
	Currency        string           `json:"currency"`
	Channel         string           `json:"channel"`
	Status          string           `json:"status"`
	StoreID         *string          `json:"store_id"`
	RegisterID      *string          `json:"register_id"`
	EmployeeID      *string          `json:"employee_id"`
	Reference       *string          `json:"reference"`
	PostedOn        string           `json:"posted_on"`
	Allocation      []allocationJSON `json:"allocation"`
	NSFFee          int64            `json:"nsf_fee"`
	ReversedAt      *string          `json:"reversed_at"`
	AvailableCredit int64            `json:"available_credit"`
	Balance         int64            `json:"balance"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// paymentOut is a payment's receipt: its allocation and the account's
// balance and available credit after it.
func paymentOut(env openflex.Environment, r *engine.PaymentResult) paymentJSON {
	p := r.Payment
	out := paymentJSON{ID: p.ID, Object: "payment", Environment: string(env), Created: rfc3339(p.Created), AccountNumber: p.AccountNumber,
		Amount: p.Amount, Currency: string(openflex.CAD), Channel: p.Channel, Status: p.Status, StoreID: optString(p.StoreID),
		RegisterID: optString(p.RegisterID), EmployeeID: optString(p.EmployeeID), Reference: optString(p.Reference), PostedOn: p.PostedOn,
		Allocation: []allocationJSON{}, NSFFee: p.NSFFee}
	for _, a := range p.Allocation {
		out.Allocation = append(out.Allocation, allocationJSON{Segment: a.SegmentID, Bucket: a.Bucket, Amount: a.Amount})
	}
	if !p.ReversedAt.IsZero() {
		at := rfc3339(p.ReversedAt)
		out.ReversedAt = &at
	}
	if r.Account != nil {
		out.AvailableCredit, out.Balance = r.Account.Available(), r.Account.Owed()
	}
	return out
}

type statementLineJSON struct {
	Date         string `json:"date"`
	Kind         string `json:"kind"`
	Description  string `json:"description"`
	Merchant     string `json:"merchant"`
	Store        string `json:"store"`
	MerchantName string `json:"merchant_name"`
	StoreName    string `json:"store_name"`
	Amount       int64  `json:"amount"`
}

type statementPlanJSON struct {
	Segment          string  `json:"segment"`
	Kind             string  `json:"kind"`
	Description      string  `json:"description"`
	Merchant         string  `json:"merchant"`
	MerchantName     string  `json:"merchant_name"`
	Instalment       int64   `json:"instalment"`
	Remaining        int64   `json:"remaining"`
	EndDate          *string `json:"end_date"`
	InterestIfUnpaid int64   `json:"interest_if_unpaid"`
	InterestAtExpiry int64   `json:"interest_at_expiry"`
}

type statementJSON struct {
	ID              string              `json:"id"`
	Object          string              `json:"object"`
	Environment     string              `json:"environment"`
	Created         string              `json:"created"`
	AccountNumber   string              `json:"account_number"`
	Number          int                 `json:"number"`
	Language        string              `json:"language"`
	PeriodStart     string              `json:"period_start"`
	PeriodEnd       string              `json:"period_end"`
	OpeningBalance  int64               `json:"opening_balance"`
	TotalDebits     int64               `json:"total_debits"`
	TotalCredits    int64               `json:"total_credits"`
	InterestCharged int64               `json:"interest_charged"`
	FeesCharged     int64               `json:"fees_charged"`
	ClosingBalance  int64               `json:"closing_balance"`
	CreditLimit     int64               `json:"credit_limit"`
	AvailableCredit int64               `json:"available_credit"`
	MinimumPayment  int64               `json:"minimum_payment"`
	PastDue         int64               `json:"past_due"`
	DueDate         string              `json:"due_date"`
	GraceAmount     int64               `json:"grace_amount"`
	Lines           []statementLineJSON `json:"lines"`
	Plans           []statementPlanJSON `json:"plans"`
	Text            string              `json:"text"`
}

// statementOut is a statement as the lender's tools and a TRAINING test
// clock's owner see it.
func statementOut(env openflex.Environment, v *engine.StatementView) statementJSON {
	st, ss := v.Statement, v.Stored
	out := statementJSON{ID: ss.ID, Object: "statement", Environment: string(env), Created: rfc3339(ss.Created), AccountNumber: ss.AccountNumber,
		Number: st.Number, Language: st.Language, PeriodStart: st.PeriodStart.String(), PeriodEnd: st.PeriodEnd.String(),
		OpeningBalance: st.OpeningBalance, TotalDebits: st.TotalDebits, TotalCredits: st.TotalCredits, InterestCharged: st.InterestCharged,
		FeesCharged: st.FeesCharged, ClosingBalance: st.ClosingBalance, CreditLimit: st.CreditLimit, AvailableCredit: st.AvailableCredit,
		MinimumPayment: st.MinimumPayment, PastDue: st.PastDue, DueDate: st.DueDate.String(), GraceAmount: st.GraceAmount,
		Lines: []statementLineJSON{}, Plans: []statementPlanJSON{}, Text: ss.Text}
	for _, l := range st.Lines {
		out.Lines = append(out.Lines, statementLineJSON{Date: l.Date.String(), Kind: string(l.Kind), Description: l.Description,
			Merchant: l.Merchant, Store: l.Store, MerchantName: l.MerchantName, StoreName: l.StoreName, Amount: l.Amount})
	}
	for _, p := range st.Plans {
		out.Plans = append(out.Plans, statementPlanJSON{Segment: p.Segment, Kind: string(p.Kind), Description: p.Description,
			Merchant: p.Merchant, MerchantName: p.MerchantName, Instalment: p.Instalment, Remaining: p.Remaining, EndDate: optString(p.EndDate.String()), InterestIfUnpaid: p.InterestIfUnpaid,
			InterestAtExpiry: p.InterestAtExpiry})
	}
	return out
}

type statusChangeJSON struct {
	Object        string `json:"object"`
	Environment   string `json:"environment"`
	Created       string `json:"created"`
	AccountNumber string `json:"account_number"`
	From          string `json:"from"`
	To            string `json:"to"`
}

type testClockJSON struct {
	ID          string `json:"id"`
	Object      string `json:"object"`
	Environment string `json:"environment"`
	Created     string `json:"created"`
	Name        string `json:"name"`
	FrozenTime  string `json:"frozen_time"`
	Status      string `json:"status"`
}

func testClockOut(env openflex.Environment, c *engine.TestClock) testClockJSON {
	return testClockJSON{ID: c.ID, Object: "test_clock", Environment: string(env), Created: rfc3339(c.Created), Name: c.Name,
		FrozenTime: rfc3339(c.FrozenTime), Status: c.Status}
}

// renderServicing is RenderEvent for servicing's objects.
func renderServicing(env openflex.Environment, v any) (any, bool) {
	switch o := v.(type) {
	case *engine.PaymentResult:
		return paymentOut(env, o), true
	case *engine.StatementView:
		return statementOut(env, o), true
	case *engine.StatusEvent:
		return statusChangeJSON{Object: "account_status_change", Environment: string(env), Created: rfc3339(o.Change.Created),
			AccountNumber: o.Change.AccountNumber, From: string(o.Change.From), To: string(o.Change.To)}, true
	case *engine.LimitEvent:
		// The lender's own outbox only: merchants are never sent it.
		return limitChangeJSON{Object: "account_credit_limit_change", Environment: string(env), AccountNumber: o.Account.Number,
			CreditLimit: o.Account.CreditLimit, Previous: o.Previous, Staff: o.Staff, Reason: o.Reason}, true
	}
	return nil, false
}

// limitChangeJSON is account.credit_limit_changed's object, in the
// lender's own outbox.
type limitChangeJSON struct {
	Object        string `json:"object"`
	Environment   string `json:"environment"`
	AccountNumber string `json:"account_number"`
	CreditLimit   int64  `json:"credit_limit"`
	Previous      int64  `json:"previous_credit_limit"`
	Staff         string `json:"staff"`
	Reason        string `json:"reason"`
}

// checkVerification checks a request's verification: the customer's code
// for a sale, a payment at the till or a revocation.
func checkVerification(probs *openflex.Problems, id, code string) {
	if id == "" {
		probs.Missing("verification.id")
	} else if !strings.HasPrefix(id, openflex.PrefixVerification+"_") {
		probs.Invalid("verification.id", "verification.id must be a verification id (ver_…)")
	}
	if code == "" {
		probs.Missing("verification.code")
	}
}

type verificationIn struct {
	ID   string `json:"id"`
	Code string `json:"code"`
}

// createPayment is an in-store payment: the customer pays at a merchant's
// till, verified by a code as for a sale.
func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if _, err := accountNumber(r); err != nil {
		return err
	}
	var in struct {
		Amount       int64           `json:"amount"`
		Currency     string          `json:"currency"`
		Channel      string          `json:"channel"`
		StoreID      string          `json:"store_id"`
		RegisterID   string          `json:"register_id"`
		EmployeeID   string          `json:"employee_id"`
		Reference    string          `json:"reference"`
		Verification *verificationIn `json:"verification"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	number := r.PathValue("number")
	req := engine.PaymentRequest{AccountNumber: number, Amount: in.Amount, Channel: in.Channel, MerchantID: p.MerchantID,
		StoreID: in.StoreID, RegisterID: in.RegisterID, EmployeeID: in.EmployeeID, Reference: in.Reference}
	var probs openflex.Problems
	if err := req.Validate(); err != nil {
		probs = append(probs, err.(*openflex.Error).Fields...)
	}
	if in.Channel != "" && in.Channel != engine.ChannelInStore {
		probs = probs[:0:0]
		probs.Invalid("channel", "channel must be in_store: a merchant takes payments at its till")
	}
	switch in.Currency {
	case "":
		probs.Missing("currency")
	case string(openflex.CAD):
	default:
		probs.Invalid("currency", "currency must be CAD")
	}
	if in.StoreID != "" {
		if _, err := s.store(r.Context(), p.MerchantID, in.StoreID); openflex.ErrorCode(err) == openflex.CodeResourceMissing {
			probs.Invalid("store_id", "store_id %q is not one of your stores", in.StoreID)
		} else if err != nil {
			return err
		}
	}
	if v := in.Verification; v == nil {
		probs.Missing("verification")
	} else {
		req.VerificationID = v.ID
		checkVerification(&probs, v.ID, v.Code)
	}
	if err := probs.Err(); err != nil {
		return err
	}
	creditSvc := s.cfg.Planes[p.Env].Credit
	prepare := func(ctx context.Context) error {
		return creditSvc.CheckVerification(ctx, p.MerchantID, in.Verification.ID, in.Verification.Code, number)
	}
	return s.idempotent(w, r, body, writeOp{Prepare: prepare, Effect: func(ctx context.Context) (int, any, error) {
		res, err := s.cfg.Planes[p.Env].Servicing.Pay(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, paymentOut(p.Env, res), nil
	}})
}

// pay is the TRAINING test helper that pays an account down, now through
// the servicing engine (allocated, dated by the account's clock).
func (s *Server) pay(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if p.Env != openflex.Training {
		return openflex.Errorf(openflex.CodeResourceMissing, "unrecognised request URL (%s %s)", r.Method, r.URL.Path)
	}
	if _, err := accountNumber(r); err != nil {
		return err
	}
	var in struct {
		Amount int64 `json:"amount"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		res, err := s.cfg.Planes[p.Env].Servicing.Pay(ctx, engine.PaymentRequest{AccountNumber: r.PathValue("number"), Amount: in.Amount,
			Channel: engine.ChannelTestHelper, MerchantID: p.MerchantID})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, accountOut(p.Env, res.Account), nil
	}})
}

// trainingOnly answers PRODUCTION's requests to a test helper as a URL
// that does not exist.
func trainingOnly(r *http.Request) error {
	if principalOf(r.Context()).Env != openflex.Training {
		return openflex.Errorf(openflex.CodeResourceMissing, "unrecognised request URL (%s %s)", r.Method, r.URL.Path)
	}
	return nil
}

func parseFrozenTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "frozen_time", Message: "frozen_time is required"}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "frozen_time",
			Message: "frozen_time must be an RFC 3339 time, e.g. 2025-03-01T12:00:00-05:00"}
	}
	return t, nil
}

func (s *Server) createTestClock(w http.ResponseWriter, r *http.Request) error {
	if err := trainingOnly(r); err != nil {
		return err
	}
	p := principalOf(r.Context())
	var in struct {
		FrozenTime string `json:"frozen_time"`
		Name       string `json:"name"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	t, err := parseFrozenTime(in.FrozenTime)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		c, err := s.cfg.Planes[p.Env].Servicing.CreateTestClock(ctx, p.MerchantID, in.Name, t)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, testClockOut(p.Env, c), nil
	}})
}

func (s *Server) getTestClock(w http.ResponseWriter, r *http.Request) error {
	if err := trainingOnly(r); err != nil {
		return err
	}
	p := principalOf(r.Context())
	c, err := s.cfg.Planes[p.Env].Servicing.TestClock(r.Context(), p.MerchantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, testClockOut(p.Env, c))
	return nil
}

// advanceTestClock moves a clock forward; every day passed is applied to
// its accounts before the answer.
func (s *Server) advanceTestClock(w http.ResponseWriter, r *http.Request) error {
	if err := trainingOnly(r); err != nil {
		return err
	}
	p := principalOf(r.Context())
	var in struct {
		FrozenTime string `json:"frozen_time"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	t, err := parseFrozenTime(in.FrozenTime)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		c, err := s.cfg.Planes[p.Env].Servicing.AdvanceTestClock(ctx, p.MerchantID, r.PathValue("id"), t)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, testClockOut(p.Env, c), nil
	}})
}

// attachTestClock puts a fresh account on the clock.
func (s *Server) attachTestClock(w http.ResponseWriter, r *http.Request) error {
	if err := trainingOnly(r); err != nil {
		return err
	}
	p := principalOf(r.Context())
	var in struct {
		AccountNumber string `json:"account_number"`
	}
	body, err := readJSON(r, &in)
	if err != nil {
		return err
	}
	if in.AccountNumber == "" {
		return &openflex.Error{Code: openflex.CodeParameterMissing, Param: "account_number", Message: "account_number is required"}
	}
	return s.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
		svc := s.cfg.Planes[p.Env].Servicing
		if _, err := svc.AttachTestClock(ctx, p.MerchantID, r.PathValue("id"), in.AccountNumber); err != nil {
			return 0, nil, err
		}
		c, err := svc.TestClock(ctx, p.MerchantID, r.PathValue("id"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, testClockOut(p.Env, c), nil
	}})
}
