package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
)

// echoInput is a test-only resource that exercises the shared plumbing the
// way every real POST does: decode, validate, idempotent write.
type echoInput struct {
	Amount  int64  `json:"amount"`
	Note    string `json:"note"`
	Decline bool   `json:"decline"`
	Nested  *struct {
		City string `json:"city"`
	} `json:"nested"`
}

// withEcho registers POST /v1/test_echo; calls counts executions of its
// effect (the function the idempotency runner protects).
func withEcho(ev *env, calls *atomic.Int64, entered, gate chan struct{}) {
	ev.srv.mux.Handle("POST /v1/test_echo", ev.srv.authed(func(w http.ResponseWriter, r *http.Request) error {
		body, err := readBody(r)
		if err != nil {
			return err
		}
		var in echoInput
		if err := decodeJSON(body, &in); err != nil {
			return err
		}
		var probs openflex.Problems
		probs.Add(openflex.CheckAmount("amount", in.Amount, false))
		if in.Note == "" {
			probs.Missing("note")
		}
		if err := probs.Err(); err != nil {
			return err
		}
		return ev.srv.idempotent(w, r, body, writeOp{Effect: func(ctx context.Context) (int, any, error) {
			if gate != nil {
				entered <- struct{}{}
				<-gate
			}
			calls.Add(1)
			if in.Decline {
				return 0, nil, openflex.Errorf(openflex.CodeInsufficientCred, "declined")
			}
			return http.StatusCreated, map[string]any{"id": openflex.NewID("echo"), "amount": in.Amount}, nil
		}})
	}))
}

func TestRequestPlumbing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		var calls atomic.Int64
		withEcho(ev, &calls, nil, nil)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		big := `{"note":"` + strings.Repeat("x", 1<<20) + `"}`
		tests := []struct {
			name, method, path, body string
			status                   int
			code, param              string
		}{
			{"valid", "POST", "/v1/test_echo", `{"amount":100,"note":"hi"}`, 201, "", ""},
			{"malformed JSON", "POST", "/v1/test_echo", `{"amount":`, 400, "body_invalid_json", ""},
			{"not an object", "POST", "/v1/test_echo", `[1,2]`, 400, "body_invalid_json", ""},
			{"trailing data", "POST", "/v1/test_echo", `{"amount":1,"note":"a"} {}`, 400, "body_invalid_json", ""},
			{"unknown field", "POST", "/v1/test_echo", `{"amount":1,"note":"a","amout":2}`, 400, "unknown_parameter", "amout"},
			{"fractional amount", "POST", "/v1/test_echo", `{"amount":12.5,"note":"a"}`, 400, "parameter_invalid", "amount"},
			{"string amount", "POST", "/v1/test_echo", `{"amount":"12","note":"a"}`, 400, "parameter_invalid", "amount"},
			{"nested type error", "POST", "/v1/test_echo", `{"amount":1,"note":"a","nested":{"city":5}}`, 400, "parameter_invalid", "nested.city"},
			{"negative amount", "POST", "/v1/test_echo", `{"amount":-5,"note":"a"}`, 400, "parameter_invalid", "amount"},
			{"too large amount", "POST", "/v1/test_echo", `{"amount":10000000000,"note":"a"}`, 400, "parameter_invalid", "amount"},
			{"missing fields", "POST", "/v1/test_echo", `{}`, 400, "parameter_invalid", "amount"},
			{"body over 1 MiB", "POST", "/v1/test_echo", big, 413, "body_too_large", ""},
			{"wrong method", "DELETE", "/v1/stores", "", 405, "method_not_allowed", ""},
			{"unknown path", "GET", "/v1/nothing_here", "", 404, "resource_missing", ""},
			{"no credentials", "GET", "/v1/stores", "", 401, "invalid_token", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				a := auth
				if tc.name == "no credentials" {
					a = ""
				}
				r := ev.call(tc.method, tc.path, a, tc.body)
				if r.status != tc.status || r.code() != tc.code || r.param() != tc.param {
					t.Fatalf("%s %s = %d %s (param %q), want %d %s (param %q)\n%s", tc.method, tc.path, r.status, r.code(), r.param(), tc.status, tc.code, tc.param, r.raw)
				}
				if tc.status >= 400 {
					e := r.json["error"].(map[string]any)
					if e["request_id"] != r.header.Get("Request-Id") || e["message"] == "" || e["type"] == "" {
						t.Fatalf("error envelope incomplete: %s", r.raw)
					}
				}
			})
		}
		if got := ev.call("DELETE", "/v1/stores", auth, "").header.Get("Allow"); !strings.Contains(got, "GET") {
			t.Errorf("405 Allow = %q", got)
		}
		r := ev.call("POST", "/v1/test_echo", auth, `{}`)
		if errs, _ := r.json["error"].(map[string]any)["errors"].([]any); len(errs) != 2 {
			t.Errorf("every field problem at once: got %d in %s", len(errs), r.raw)
		}
		if calls.Load() != 1 {
			t.Errorf("effect ran %d times; only the valid request may reach it", calls.Load())
		}
		r = ev.call("GET", "/v1/stores", auth, "", "X-Reference-Id", "pos-42")
		if r.header.Get("X-Reference-Id") != "pos-42" {
			t.Errorf("X-Reference-Id not echoed: %v", r.header)
		}
		r = ev.call("POST", "/v1/test_echo", auth, `{"amount":-1}`, "Accept-Language", "fr-CA")
		if msg := r.json["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "valide") {
			t.Errorf("French message = %q", msg)
		}
	})
}

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		var calls atomic.Int64
		withEcho(ev, &calls, nil, nil)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		key := func(k string) []string { return []string{"Idempotency-Key", k} }

		first := ev.call("POST", "/v1/test_echo", auth, `{"amount":100,"note":"a"}`, key("k1")...)
		again := ev.call("POST", "/v1/test_echo", auth, `{"amount":100,"note":"a"}`, key("k1")...)
		if first.status != 201 || again.status != 201 || string(first.raw) != string(again.raw) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: first %d %s, again %d %s (replayed %q)", first.status, first.raw, again.status, again.raw, again.header.Get("Idempotent-Replayed"))
		}
		if first.header.Get("Idempotent-Replayed") != "" {
			t.Fatal("a first response must not claim to be replayed")
		}
		if r := ev.call("POST", "/v1/test_echo", auth, `{"amount":200,"note":"a"}`, key("k1")...); r.status != 422 || r.code() != "idempotency_key_reused" {
			t.Fatalf("same key, other body = %d %s", r.status, r.code())
		}
		if calls.Load() != 1 {
			t.Fatalf("effect ran %d times, want 1", calls.Load())
		}
		// Validation errors are not stored: the corrected retry runs.
		if r := ev.call("POST", "/v1/test_echo", auth, `{"amount":0,"note":"a"}`, key("k2")...); r.status != 400 {
			t.Fatalf("invalid = %d", r.status)
		}
		// A business refusal is the key's answer: replayed, not re-run.
		d1 := ev.call("POST", "/v1/test_echo", auth, `{"amount":5,"note":"a","decline":true}`, key("k3")...)
		d2 := ev.call("POST", "/v1/test_echo", auth, `{"amount":5,"note":"a","decline":true}`, key("k3")...)
		if d1.status != 402 || d2.status != 402 || string(d1.raw) != string(d2.raw) || d2.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("declined replay: %d %s / %d %s", d1.status, d1.raw, d2.status, d2.raw)
		}
		if calls.Load() != 2 {
			t.Fatalf("effect ran %d times, want 2", calls.Load())
		}
		// Keys are scoped per merchant: another merchant's k1 is its own.
		other := ev.merchant(openflex.Training)
		if r := ev.call("POST", "/v1/test_echo", "Bearer "+ev.token(other), `{"amount":999,"note":"b"}`, key("k1")...); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("other merchant's key collided: %d %s", r.status, r.raw)
		}
		if r := ev.call("POST", "/v1/test_echo", auth, `{"amount":1,"note":"a"}`, key(strings.Repeat("k", 256))...); r.status != 400 || r.param() != "Idempotency-Key" {
			t.Fatalf("overlong key = %d %s", r.status, r.raw)
		}
	})
}

func TestConcurrentRetriesRunOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		var calls atomic.Int64
		entered, gate := make(chan struct{}, 64), make(chan struct{})
		withEcho(ev, &calls, entered, gate)
		auth := "Bearer " + ev.token(ev.merchant(openflex.Training))
		const n = 50
		results := make([]reply, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = ev.call("POST", "/v1/test_echo", auth, `{"amount":100,"note":"race"}`, "Idempotency-Key", "same")
			}()
		}
		<-entered // one request holds the key; the others race against it
		close(gate)
		wg.Wait()
		var created, inUse int
		var body string
		for _, r := range results {
			switch {
			case r.status == 201:
				created++
				if body != "" && body != string(r.raw) {
					t.Fatalf("two different 201 bodies for one key:\n%s\n%s", body, r.raw)
				}
				body = string(r.raw)
			case r.status == 409 && r.code() == "idempotency_key_in_use":
				inUse++
			default:
				t.Fatalf("unexpected reply %d %s", r.status, r.raw)
			}
		}
		if calls.Load() != 1 || created == 0 || created+inUse != n {
			t.Fatalf("effect ran %d times; %d created, %d in use", calls.Load(), created, inUse)
		}
		t.Logf("%d concurrent retries: effect ran once, %d saw the result, %d were told it was in flight", n, created, inUse)
	})
}

func TestRecentRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ev := newEnv(t, e)
		mk := ev.merchant(openflex.Training)
		auth := "Bearer " + ev.token(mk)
		ev.call("GET", "/v1/stores", auth, "")
		ev.call("GET", "/v1/stores/str_nope", auth, "")
		got := ev.srv.RecentRequests(mk.merchant.ID)
		if len(got) != 2 || got[0].Status != 404 || got[1].Path != "/v1/stores" || got[0].RequestID == "" {
			t.Fatalf("RecentRequests = %+v", got)
		}
		if other := ev.merchant(openflex.Training); len(ev.srv.RecentRequests(other.merchant.ID)) != 0 {
			t.Fatal("another merchant sees these requests")
		}
	})
}

// A database out of reach (a failover) is a 503 unavailable with
// Retry-After, never a 500: /readyz says so to the load balancer, and a
// handler whose store call fails with a lost connection answers the same.
func TestDatabaseOutageIsUnavailable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		var down atomic.Bool
		lost := fmt.Errorf("select: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
		ev := newEnv(t, e, func(c *Config) {
			ready := c.Ready
			c.Ready = func(ctx context.Context) error {
				if down.Load() {
					return lost
				}
				return ready(ctx)
			}
		})
		if r := ev.call("GET", "/readyz", "", ""); r.status != 200 {
			t.Fatalf("/readyz = %d %s, want 200", r.status, r.raw)
		}
		down.Store(true)
		r := ev.call("GET", "/readyz", "", "")
		if r.status != 503 || r.code() != "unavailable" || r.header.Get("Retry-After") == "" {
			t.Fatalf("/readyz with the database down = %d %s (Retry-After %q), want 503 unavailable with Retry-After",
				r.status, r.raw, r.header.Get("Retry-After"))
		}
		// The store names a lost connection unavailable (sqlstore's
		// TestDomainErr); the API maps the code, and only the code.
		status, body := renderError(&openflex.Error{Code: openflex.CodeUnavailable, Message: "the database is unavailable", Cause: lost}, "req_1", false)
		if status != 503 || body.Error.Code != "unavailable" {
			t.Fatalf("renderError(unavailable) = %d %s, want 503 unavailable", status, body.Error.Code)
		}
		if status, body := renderError(&openflex.Error{Code: openflex.CodeConflict, Message: "a concurrent write took this key first"}, "req_1", false); status != 500 || body.Error.Code != "internal_error" {
			t.Fatalf("renderError(conflict) = %d %s, want 500 internal_error (the store's own code is not the API's)", status, body.Error.Code)
		}
	})
}
