package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// merchantCreds is what the load acts as.
type merchantCreds struct {
	MerchantID   string
	StoreID      string
	ClientID     string
	ClientSecret string
}

// load is the write load the fault tests run under: several clients, each
// authorizing a purchase and capturing half of it (final, releasing the
// rest), every POST with an Idempotency-Key that is reused, unchanged,
// across retries until the request has an answer. Retries go through
// HAProxy, so they usually land on another node.
type load struct {
	api      string
	creds    merchantCreds
	accounts []string
	http     *http.Client
	tag      string

	mu        sync.Mutex
	successes []time.Time    // every acknowledged write, in order
	failures  []failure      // every failed attempt
	lost      []finalFailure // requests given up on (never answered)
	retried   []retriedRequest
	auths     map[string]string
	caps      map[string]string
	seq       int
	paused    bool
	resume    *sync.Cond
	inflight  int
}

type failure struct {
	At     time.Time
	Status string // HTTP status, or "network"
}

// retriedRequest is a request that needed more than one attempt.
type retriedRequest struct {
	Start, End time.Time
}

type finalFailure struct {
	At     time.Time
	Key    string
	Reason string
}

func newLoad(api string, creds merchantCreds, accounts []string) *load {
	l := &load{api: api, creds: creds, accounts: accounts, tag: randomLetters(8),
		http:  &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}},
		auths: map[string]string{}, caps: map[string]string{}}
	l.resume = sync.NewCond(&l.mu)
	return l
}

// reply is one answered request.
type reply struct {
	status int
	body   []byte
}

func (r reply) code() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

// call sends one request, with Basic auth.
func (l *load) call(ctx context.Context, method, path string, body any, key string) (reply, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.api+path, rd)
	if err != nil {
		return reply{}, err
	}
	req.SetBasicAuth(l.creds.ClientID, l.creds.ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := l.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: res.StatusCode, body: b}, nil
}

// retryable answers are the cluster's, not the request's: the same request
// with the same key is sent again.
func retryable(r reply) bool {
	switch {
	case r.status == http.StatusTooManyRequests, r.status >= 500:
		return true
	case r.status == http.StatusConflict && r.code() == "idempotency_key_in_use":
		return true
	}
	return false
}

// post sends a POST until it has an answer, within budget; every failed
// attempt is recorded. It returns the answer, or false when it gave up.
func (l *load) post(ctx context.Context, path string, body any, key string, budget time.Duration) (reply, bool) {
	start := time.Now()
	deadline := start.Add(budget)
	wait := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		r, err := l.call(ctx, http.MethodPost, path, body, key)
		if err == nil && !retryable(r) {
			if attempt > 0 {
				l.mu.Lock()
				l.retried = append(l.retried, retriedRequest{Start: start, End: time.Now()})
				l.mu.Unlock()
			}
			return r, true
		}
		status := "network"
		if err == nil {
			status = strconv.Itoa(r.status)
			if c := r.code(); c != "" {
				status += " " + c
			}
		}
		l.mu.Lock()
		l.failures = append(l.failures, failure{At: time.Now(), Status: status})
		l.mu.Unlock()
		if ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			l.mu.Lock()
			l.lost = append(l.lost, finalFailure{At: time.Now(), Key: key, Reason: status})
			l.mu.Unlock()
			return r, false
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// run works until ctx ends, with workers clients.
func (l *load) run(ctx context.Context, workers int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				if !l.enter() {
					return
				}
				l.purchase(ctx, rng)
				l.leave()
			}
		})
	}
	return &wg
}

// enter waits while the load is paused and counts the purchase in flight.
func (l *load) enter() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.paused {
		l.resume.Wait()
	}
	l.inflight++
	return true
}

func (l *load) leave() {
	l.mu.Lock()
	l.inflight--
	l.resume.Broadcast()
	l.mu.Unlock()
}

// pause stops new purchases and waits for those in flight, so checks see a
// quiet database; resume lets the workers go on.
func (l *load) pause() {
	l.mu.Lock()
	l.paused = true
	for l.inflight > 0 {
		l.resume.Wait()
	}
	l.mu.Unlock()
}

func (l *load) unpause() {
	l.mu.Lock()
	l.paused = false
	l.resume.Broadcast()
	l.mu.Unlock()
}

func (l *load) nextKey(kind string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	return fmt.Sprintf("ct-%s-%s-%d", l.tag, kind, l.seq)
}

// requestBudget is how long a client keeps retrying one request: longer
// than any failover the tests cause, so a request is only given up on when
// the cluster is really down.
const requestBudget = 90 * time.Second

func (l *load) purchase(ctx context.Context, rng *rand.Rand) {
	key := l.nextKey("auth")
	amount := 100 + rng.Int64N(1900)
	in := map[string]any{"account_number": l.accounts[rng.IntN(len(l.accounts))], "amount": amount, "currency": "CAD",
		"store_id": l.creds.StoreID, "channel": "online", "reference": key}
	r, ok := l.post(ctx, "/v1/authorizations", in, key, requestBudget)
	if !ok || r.status != http.StatusCreated {
		if ok {
			l.ack() // a final refusal (insufficient credit) is an answer too
		}
		return
	}
	var a struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(r.body, &a) != nil || a.ID == "" {
		return
	}
	l.mu.Lock()
	l.auths[key] = a.ID
	l.mu.Unlock()
	l.ack()
	ckey := l.nextKey("cap")
	r, ok = l.post(ctx, "/v1/authorizations/"+a.ID+"/captures", map[string]any{"amount": amount / 2, "final": true}, ckey, requestBudget)
	if !ok || r.status != http.StatusCreated {
		return
	}
	// The answer is the authorization, its captures last.
	var c struct {
		Captures []struct {
			ID string `json:"id"`
		} `json:"captures"`
	}
	if json.Unmarshal(r.body, &c) == nil && len(c.Captures) > 0 {
		l.mu.Lock()
		l.caps[ckey] = c.Captures[len(c.Captures)-1].ID
		l.mu.Unlock()
	}
	l.ack()
}

func (l *load) ack() {
	l.mu.Lock()
	l.successes = append(l.successes, time.Now())
	l.mu.Unlock()
}

// acks is how many writes were acknowledged so far.
func (l *load) acks() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.successes)
}

// window sums up [from, to): the longest stretch without an acknowledged
// write (counted from the first failure, so an idle client is not an
// outage), failed attempts by status and requests given up on.
type windowStats struct {
	Acknowledged   int            `json:"acknowledged_writes"`
	SecondsWithout float64        `json:"seconds_without_service"`
	FailedAttempts map[string]int `json:"failed_attempts_by_status"`
	FailedRequests int            `json:"failed_requests"`
	// LongestRequest is the longest a client waited, retrying, for one
	// request's answer.
	LongestRequest     float64  `json:"longest_retried_request_seconds"`
	FailedRequestsKeys []string `json:"failed_request_keys,omitempty"`
	// Timeline counts acknowledged writes and failed attempts per second
	// from the fault on.
	Timeline []second `json:"timeline"`
}

type second struct {
	Acknowledged int `json:"ack"`
	Failed       int `json:"failed,omitempty"`
}

func (l *load) window(from, to time.Time) windowStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	ws := windowStats{FailedAttempts: map[string]int{}}
	var firstFail time.Time
	for _, f := range l.failures {
		if !f.At.Before(from) && f.At.Before(to) {
			ws.FailedAttempts[f.Status]++
			if firstFail.IsZero() || f.At.Before(firstFail) {
				firstFail = f.At
			}
		}
	}
	for _, f := range l.lost {
		if !f.At.Before(from) && f.At.Before(to) {
			ws.FailedRequests++
			ws.FailedRequestsKeys = append(ws.FailedRequestsKeys, f.Key+" ("+f.Reason+")")
		}
	}
	var in []time.Time
	for _, s := range l.successes {
		if !s.Before(from) && s.Before(to) {
			in = append(in, s)
		}
	}
	ws.Acknowledged = len(in)
	for _, r := range l.retried {
		if !r.End.Before(from) && r.End.Before(to) {
			ws.LongestRequest = max(ws.LongestRequest, float64(r.End.Sub(r.Start).Milliseconds())/1000)
		}
	}
	ws.Timeline = make([]second, int(to.Sub(from)/time.Second)+1)
	for _, s := range in {
		ws.Timeline[int(s.Sub(from)/time.Second)].Acknowledged++
	}
	for _, f := range l.failures {
		if !f.At.Before(from) && f.At.Before(to) {
			ws.Timeline[int(f.At.Sub(from)/time.Second)].Failed++
		}
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Before(in[j]) })
	if !firstFail.IsZero() {
		// The outage: from the last success before the first failure to the
		// first success after the longest gap.
		prev := from
		for _, s := range l.successes {
			if s.Before(firstFail) && s.After(prev) {
				prev = s
			}
		}
		var gap time.Duration
		for _, s := range in {
			if s.After(prev) {
				gap = max(gap, s.Sub(prev))
			}
			if s.After(prev) {
				prev = s
			}
		}
		ws.SecondsWithout = float64(gap.Milliseconds()) / 1000
	}
	return ws
}

// acknowledged returns copies of the acknowledged authorizations and
// captures (Idempotency-Key → id).
func (l *load) acknowledged() (auths, caps map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	auths, caps = map[string]string{}, map[string]string{}
	for k, v := range l.auths {
		auths[k] = v
	}
	for k, v := range l.caps {
		caps[k] = v
	}
	return auths, caps
}

// randomLetters names a run in letters only (applicant names accept no
// digits), so runs on one database never meet each other's data.
func randomLetters(n int) string {
	b := []byte(randomHex(n))
	for i, c := range b {
		b[i] = 'a' + c%26
	}
	return string(b[:n])
}
