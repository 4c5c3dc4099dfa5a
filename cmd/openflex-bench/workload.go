package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The weighted operations of --mix.
const (
	mixAuthorize = iota
	mixCapture
	mixReturn
	mixAccount
	mixList
	mixToken
	numMixOps
)

var mixNames = [numMixOps]string{"authorize", "capture", "return", "account", "list", "token"}

func opWeightNames() []string { return mixNames[:] }

// The operations reported. A capture is partial the first time an
// authorization is captured and final (releasing the rest) the second.
const (
	opAuthorize      = "authorize"
	opCapturePartial = "capture_partial"
	opCaptureFinal   = "capture_final"
	opReturn         = "return"
	opAccount        = "account"
	opList           = "list"
	opToken          = "token"
)

var reportOrder = []string{opAuthorize, opCapturePartial, opCaptureFinal, opReturn, opAccount, opList, opToken}

// mix is the weight of each operation; it is a flag.Value ("op=weight,…").
type mix [numMixOps]int

// defaultMix is a store's day: every authorization is captured twice
// (partial, then final), a tenth of the traffic is returns, and the rest
// is look-ups, history pages and the odd token refresh.
func defaultMix() mix { return mix{25, 45, 10, 10, 8, 2} }

func (m *mix) String() string {
	if m == nil {
		return ""
	}
	var parts []string
	for i, w := range m {
		parts = append(parts, mixNames[i]+"="+strconv.Itoa(w))
	}
	return strings.Join(parts, ",")
}

// Set reads "op=weight,…"; operations not named get weight 0.
func (m *mix) Set(s string) error {
	var out mix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, ws, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("%q is not op=weight", part)
		}
		i := indexOf(mixNames[:], strings.TrimSpace(name))
		if i < 0 {
			return fmt.Errorf("unknown operation %q (want %s)", name, strings.Join(mixNames[:], ", "))
		}
		w, err := strconv.Atoi(strings.TrimSpace(ws))
		if err != nil || w < 0 {
			return fmt.Errorf("weight of %s must be a whole number ≥ 0", name)
		}
		out[i] = w
	}
	*m = out
	return nil
}

func (m *mix) validate() error {
	total := 0
	for _, w := range m {
		total += w
	}
	if total == 0 {
		return usagef("--mix: at least one operation needs a positive weight")
	}
	return nil
}

// pick draws an operation by weight.
func (m *mix) pick(r *mrand.Rand) int {
	total := 0
	for _, w := range m {
		total += w
	}
	n := r.IntN(total)
	for i, w := range m {
		if n < w {
			return i
		}
		n -= w
	}
	return mixAuthorize
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// purchase is an authorization the workload may still capture.
type purchase struct {
	id     string
	amount int64
	// partial is set once the first (partial) capture is made.
	partial bool
}

type captureRef struct {
	id     string
	amount int64
}

// poolLimit bounds the authorizations and captures kept for later
// operations; beyond it the newest are simply not followed up.
const poolLimit = 10_000

// workload is the state the operations share: the accounts, the open
// authorizations waiting for a capture, captures waiting for a return and
// each store's next history page.
type workload struct {
	c           *client
	stores      []string
	planID      string
	planMonths  int
	finShare    float64
	idempotency string
	runTag      string
	seq         atomic.Int64
	accounts    []string
	rec         *recorder
	// measure runs when the measured window opens, after any warm-up, so
	// the CPU and allocations reported are the window's only; measured is
	// closed once it has.
	measure  func()
	measured chan struct{}

	mu      sync.Mutex
	open    []*purchase
	caps    []captureRef
	cursors map[string]string
}

func newWorkload(ctx context.Context, c *client, tg *target, o *options) (*workload, error) {
	w := &workload{c: c, stores: tg.stores, finShare: o.FinancingShare, idempotency: o.Idempotency,
		runTag: runTag(), cursors: map[string]string{}, rec: newRecorder()}
	if len(w.stores) == 0 {
		return nil, errors.New("no store to purchase in")
	}
	r, err := c.call(ctx, http.MethodGet, "/v1/plans", nil, "")
	if err != nil {
		return nil, fmt.Errorf("GET /v1/plans: %w", err)
	}
	if !r.ok() {
		return nil, fmt.Errorf("GET /v1/plans: %d %s", r.status, r.code)
	}
	var plans struct {
		Data []struct {
			ID       string `json:"id"`
			Category string `json:"category"`
			Terms    []struct {
				Months int `json:"months"`
			} `json:"terms"`
			MinAmount int64 `json:"min_amount"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.body, &plans); err != nil {
		return nil, fmt.Errorf("GET /v1/plans: %w", err)
	}
	// The revolving plan takes any amount: the one a till offers by default.
	for _, p := range plans.Data {
		if p.Category == "regular" && len(p.Terms) > 0 && p.MinAmount <= minAmount {
			w.planID, w.planMonths = p.ID, p.Terms[0].Months
			break
		}
	}
	return w, nil
}

// runTag is a random run name in letters (names accept letters only), so
// repeated runs against one server never meet their earlier applicants.
func runTag() string {
	var b [8]byte
	rand.Read(b[:])
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = 'a' + c%26
	}
	return string(out)
}

// letters spells n in base 26 ("a", "b", … "ba", …).
func letters(n int) string {
	var out []byte
	for {
		out = append([]byte{byte('a' + n%26)}, out...)
		n /= 26
		if n == 0 {
			return string(out)
		}
	}
}

// Purchase amounts are $20.00 to $400.00.
const (
	minAmount = 20_00
	maxAmount = 400_00
)

// createAccounts applies for n approved accounts (the simulated bureau
// approves middle name A-RR_L, low risk) through POST /v1/applications.
// An application through this merchant that opens the account is the
// customer's consent to it, so the online purchases that follow need no
// verification code; the run tag keeps every applicant new, so no
// application is a repeat (which would return an account without consent,
// and every purchase on it would fail with customer_consent_required).
func (w *workload) createAccounts(ctx context.Context, n, workers int) error {
	var (
		mu       sync.Mutex
		firstErr error
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				acct, err := w.apply(ctx, i)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if err == nil {
					w.accounts = append(w.accounts, acct)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (w *workload) apply(ctx context.Context, i int) (string, error) {
	body := map[string]any{
		"store_id": w.stores[i%len(w.stores)],
		"applicant": map[string]any{
			"first_name": "Bench" + letters(i), "middle_name": "A-RR_L", "last_name": "Load" + w.runTag,
			"date_of_birth": "1985-06-15", "email": fmt.Sprintf("bench.%s.%d@example.com", w.runTag, i), "phone": "416-555-0142",
			"address":       map[string]any{"line1": "1 Bench Street", "city": "Toronto", "province": "ON", "postal_code": "M5V 2T6"},
			"annual_income": 75_000_00, "employment_status": "employed", "housing_status": "rent", "monthly_housing_cost": 1_200_00,
		},
		"consent": map[string]any{"credit_check": true, "terms_accepted": true},
	}
	for attempt := 0; ; attempt++ {
		r, err := w.c.call(ctx, http.MethodPost, "/v1/applications", body, fmt.Sprintf("bench-%s-app-%d", w.runTag, i))
		if err != nil {
			return "", err
		}
		if r.status == http.StatusTooManyRequests && attempt < 20 {
			select {
			case <-time.After(time.Second):
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		var app struct {
			Status  string `json:"status"`
			Account *struct {
				Number string `json:"account_number"`
			} `json:"account"`
		}
		if r.status != http.StatusCreated || json.Unmarshal(r.body, &app) != nil || app.Status != "approved" || app.Account == nil {
			return "", fmt.Errorf("POST /v1/applications = %d %s, want 201 approved: %.300s", r.status, r.code, r.body)
		}
		return app.Account.Number, nil
	}
}

func (w *workload) key(kind string) string {
	if w.idempotency == "none" || (w.idempotency == "authorizations" && kind != opAuthorize) {
		return ""
	}
	return fmt.Sprintf("bench-%s-%d", w.runTag, w.seq.Add(1))
}

// one runs one operation of kind and records it against the time it was
// due (intended); seed makes its random choices.
func (w *workload) one(ctx context.Context, kind int, seed uint64, intended time.Time) {
	rng := mrand.New(mrand.NewPCG(seed, seed>>7|1))
	var o outcome
	switch kind {
	case mixAuthorize:
		o = w.authorize(ctx, rng)
	case mixCapture:
		o = w.capture(ctx, rng)
	case mixReturn:
		o = w.refund(ctx, rng)
	case mixAccount:
		o = w.account(ctx, rng)
	case mixList:
		o = w.list(ctx, rng)
	case mixToken:
		o = w.timed(opToken, func() (reply, error) { return w.c.tokenRequest(ctx) })
	}
	w.rec.add(o, intended)
}

// outcome is one request's answer and timing.
type outcome struct {
	op         string
	start, end time.Time
	reply      reply
	err        error
}

func (w *workload) timed(op string, fn func() (reply, error)) outcome {
	o := outcome{op: op, start: time.Now()}
	o.reply, o.err = fn()
	o.end = time.Now()
	return o
}

type financingIn struct {
	PlanID     string `json:"plan_id"`
	TermMonths int    `json:"term_months"`
}

type authorizationIn struct {
	AccountNumber string       `json:"account_number"`
	Amount        int64        `json:"amount"`
	Currency      string       `json:"currency"`
	StoreID       string       `json:"store_id"`
	Channel       string       `json:"channel"`
	Reference     string       `json:"reference"`
	Financing     *financingIn `json:"financing,omitempty"`
}

type authorizationOut struct {
	ID       string `json:"id"`
	Amount   int64  `json:"amount"`
	Captures []struct {
		ID     string `json:"id"`
		Amount int64  `json:"amount"`
	} `json:"captures"`
}

func (w *workload) authorize(ctx context.Context, rng *mrand.Rand) outcome {
	in := authorizationIn{AccountNumber: w.accounts[rng.IntN(len(w.accounts))], Amount: minAmount + rng.Int64N(maxAmount-minAmount+1),
		Currency: "CAD", StoreID: w.stores[rng.IntN(len(w.stores))], Channel: "online", Reference: "bench-" + w.runTag}
	if w.planID != "" && rng.Float64() < w.finShare {
		in.Financing = &financingIn{PlanID: w.planID, TermMonths: w.planMonths}
	}
	o := w.timed(opAuthorize, func() (reply, error) {
		return w.c.call(ctx, http.MethodPost, "/v1/authorizations", in, w.key(opAuthorize))
	})
	var a authorizationOut
	if o.err == nil && o.reply.status == http.StatusCreated && json.Unmarshal(o.reply.body, &a) == nil {
		w.mu.Lock()
		if len(w.open) < poolLimit {
			w.open = append(w.open, &purchase{id: a.ID, amount: a.Amount})
		}
		w.mu.Unlock()
	}
	return o
}

// capture captures the oldest open authorization: half of it the first
// time, a quarter with final: true (releasing the last quarter) the
// second. With none open it authorizes instead.
func (w *workload) capture(ctx context.Context, rng *mrand.Rand) outcome {
	w.mu.Lock()
	var p *purchase
	if len(w.open) > 0 {
		p, w.open = w.open[0], w.open[1:]
	}
	w.mu.Unlock()
	if p == nil {
		return w.authorize(ctx, rng)
	}
	op, body := opCapturePartial, map[string]any{"amount": p.amount / 2}
	if p.partial {
		op, body = opCaptureFinal, map[string]any{"amount": p.amount / 4, "final": true}
	}
	o := w.timed(op, func() (reply, error) {
		return w.c.call(ctx, http.MethodPost, "/v1/authorizations/"+p.id+"/captures", body, w.key(op))
	})
	var a authorizationOut
	if o.err != nil || o.reply.status != http.StatusCreated || json.Unmarshal(o.reply.body, &a) != nil || len(a.Captures) == 0 {
		return o
	}
	c := a.Captures[len(a.Captures)-1]
	w.mu.Lock()
	if !p.partial {
		p.partial = true
		w.open = append(w.open, p)
	}
	if len(w.caps) < poolLimit {
		w.caps = append(w.caps, captureRef{id: c.ID, amount: c.Amount})
	}
	w.mu.Unlock()
	return o
}

// refund returns a third of the oldest capture not yet returned; with none
// it captures instead.
func (w *workload) refund(ctx context.Context, rng *mrand.Rand) outcome {
	w.mu.Lock()
	var c captureRef
	if len(w.caps) > 0 {
		c, w.caps = w.caps[0], w.caps[1:]
	}
	w.mu.Unlock()
	if c.id == "" {
		return w.capture(ctx, rng)
	}
	body := map[string]any{"amount": max(c.amount/3, 1), "reason": "customer changed their mind"}
	return w.timed(opReturn, func() (reply, error) {
		return w.c.call(ctx, http.MethodPost, "/v1/captures/"+c.id+"/returns", body, w.key(opReturn))
	})
}

func (w *workload) account(ctx context.Context, rng *mrand.Rand) outcome {
	n := w.accounts[rng.IntN(len(w.accounts))]
	return w.timed(opAccount, func() (reply, error) {
		return w.c.call(ctx, http.MethodGet, "/v1/accounts/"+n, nil, "")
	})
}

// list fetches a page of a store's history: the newest, or half the time
// the page after the last one read.
func (w *workload) list(ctx context.Context, rng *mrand.Rand) outcome {
	store := w.stores[rng.IntN(len(w.stores))]
	q := url.Values{"store_id": {store}, "limit": {"20"}}
	if rng.IntN(2) == 0 {
		w.mu.Lock()
		if c := w.cursors[store]; c != "" {
			q.Set("starting_after", c)
		}
		w.mu.Unlock()
	}
	o := w.timed(opList, func() (reply, error) {
		return w.c.call(ctx, http.MethodGet, "/v1/transactions?"+q.Encode(), nil, "")
	})
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		HasMore bool `json:"has_more"`
	}
	if o.err == nil && o.reply.ok() && json.Unmarshal(o.reply.body, &page) == nil {
		w.mu.Lock()
		if page.HasMore && len(page.Data) > 0 {
			w.cursors[store] = page.Data[len(page.Data)-1].ID
		} else {
			delete(w.cursors, store)
		}
		w.mu.Unlock()
	}
	return o
}

var defaultMixString = func() string { m := defaultMix(); return m.String() }()
