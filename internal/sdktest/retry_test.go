package sdktest_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/sdk"
)

// TestRetries injects faults between the client and the real server and
// checks that retries are safe: same Idempotency-Key, money moved once.
func TestRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		pf := apptest.Start(t, e)
		ctx := context.Background()
		direct, _ := newClient(t, pf.URL, pf.Training)
		on := pf.Stores[0].ID
		acct := approvedAccount(t, direct, on)
		const authPath = "/v1/authorizations"

		authorize := func(c *sdk.Client, amount int64, ref string) (*sdk.Authorization, error) {
			return c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: amount,
				Currency: "CAD", StoreID: on, Channel: sdk.ChannelOnline, Reference: ref})
		}
		available := func() int64 {
			t.Helper()
			a, err := direct.Accounts.Get(ctx, acct.AccountNumber)
			if err != nil {
				t.Fatal(err)
			}
			return a.AvailableCredit
		}
		// sameKey checks that every attempt carried one generated key.
		sameKey := func(t *testing.T, exs []exchange, attempts int) {
			t.Helper()
			if len(exs) != attempts {
				t.Fatalf("%d attempts reached the proxy, want %d", len(exs), attempts)
			}
			for _, ex := range exs {
				if ex.IdempotencyKey == "" || ex.IdempotencyKey != exs[0].IdempotencyKey || ex.Body != exs[0].Body {
					t.Fatalf("attempts carried keys %q and %q (bodies equal: %v); want one key and one body",
						exs[0].IdempotencyKey, ex.IdempotencyKey, ex.Body == exs[0].Body)
				}
			}
		}

		for _, keepAlive := range []bool{false, true} {
			name := "connection dropped after commit"
			if keepAlive {
				name += ", keep-alive"
			}
			t.Run(name, func(t *testing.T) {
				px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
					if r.Method != http.MethodPost || r.URL.Path != authPath || p.nth(http.MethodPost, authPath) != 1 {
						return false
					}
					// The server runs the request and commits; the client
					// never hears of it.
					if _, _, err := p.forward(r, ex); err != nil {
						t.Errorf("forward: %v", err)
					}
					drop(t, w)
					return true
				})
				hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: !keepAlive}}
				c, waits := newClient(t, px.URL, pf.Training, sdk.WithHTTPClient(hc))
				before := available()
				ref := uniqueName("drop")
				auth, err := authorize(c, 123_45, ref)
				if err != nil {
					t.Fatalf("Authorizations.Create through a dropped connection: %v", err)
				}
				exs := px.matching(http.MethodPost, authPath)
				sameKey(t, exs, 2)
				if exs[0].Status != http.StatusCreated || !exs[1].Replayed || exs[1].Status != http.StatusCreated {
					t.Fatalf("first attempt %d, second %d replayed %v; want 201 then a 201 replay", exs[0].Status, exs[1].Status, exs[1].Replayed)
				}
				if !keepAlive && len(waits.all()) != 1 {
					t.Fatalf("client waited %v, want one backoff before its retry", waits.all())
				}
				list, err := direct.Authorizations.List(ctx, &sdk.AuthorizationListParams{Reference: ref})
				if err != nil || len(list.Data) != 1 || list.Data[0].ID != auth.ID {
					t.Fatalf("authorizations with reference %s = %+v, %v; want exactly %s", ref, list, err, auth.ID)
				}
				if after := available(); after != before-123_45 {
					t.Fatalf("available credit %d → %d, want it to move by 123.45 once", before, after)
				}
			})
		}

		t.Run("in-store authorization dropped after commit", func(t *testing.T) {
			// The retry must get the replay, not a 402 for the verification
			// code the first attempt consumed.
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.Method != http.MethodPost || r.URL.Path != authPath || p.nth(http.MethodPost, authPath) != 1 {
					return false
				}
				p.forward(r, ex)
				drop(t, w)
				return true
			})
			hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			c, _ := newClient(t, px.URL, pf.Training, sdk.WithHTTPClient(hc))
			ver, err := c.Accounts.CreateVerification(ctx, acct.AccountNumber, &sdk.VerificationParams{Channel: "sms"})
			if err != nil {
				t.Fatal(err)
			}
			before := available()
			ref := uniqueName("till")
			auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 45_00,
				Currency: "CAD", StoreID: on, Channel: sdk.ChannelInStore, Reference: ref,
				Verification: &sdk.VerificationCode{ID: ver.ID, Code: "222222"}})
			if err != nil {
				t.Fatalf("in-store Authorizations.Create through a dropped connection: %v", err)
			}
			exs := px.matching(http.MethodPost, authPath)
			sameKey(t, exs, 2)
			if !exs[1].Replayed {
				t.Fatalf("second attempt answered %d without a replay", exs[1].Status)
			}
			if l, err := direct.Authorizations.List(ctx, &sdk.AuthorizationListParams{Reference: ref}); err != nil || len(l.Data) != 1 || l.Data[0].ID != auth.ID {
				t.Fatalf("authorizations with reference %s = %+v, %v; want exactly %s", ref, l, err, auth.ID)
			}
			if after := available(); after != before-45_00 {
				t.Fatalf("available credit %d → %d, want it to move by 45.00 once", before, after)
			}
		})

		t.Run("503 twice, then success", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == authPath && p.nth(http.MethodPost, authPath) <= 2 {
					apiErrorReply(w, http.StatusServiceUnavailable, "api_error", "unavailable")
					return true
				}
				return false
			})
			c, waits := newClient(t, px.URL, pf.Training)
			before := available()
			if _, err := authorize(c, 10_00, uniqueName("five")); err != nil {
				t.Fatalf("Authorizations.Create after two 503s: %v", err)
			}
			sameKey(t, px.matching(http.MethodPost, authPath), 3)
			w := waits.all()
			if len(w) != 2 || w[0] <= 0 || w[1] <= 0 {
				t.Fatalf("waits = %v, want two backoffs", w)
			}
			if after := available(); after != before-10_00 {
				t.Fatalf("available credit %d → %d, want it to move by 10.00 once", before, after)
			}
		})

		t.Run("429 honours Retry-After", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == authPath && p.nth(http.MethodPost, authPath) == 1 {
					w.Header().Set("Retry-After", "1")
					apiErrorReply(w, http.StatusTooManyRequests, "rate_limit_error", "rate_limited")
					return true
				}
				return false
			})
			c, waits := newClient(t, px.URL, pf.Training)
			if _, err := authorize(c, 10_00, uniqueName("rate")); err != nil {
				t.Fatalf("Authorizations.Create after a 429: %v", err)
			}
			sameKey(t, px.matching(http.MethodPost, authPath), 2)
			if w := waits.all(); len(w) != 1 || w[0] < time.Second {
				t.Fatalf("waits = %v, want one wait of at least Retry-After (1s)", w)
			}
		})

		t.Run("409 idempotency_key_in_use is retried", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == authPath && p.nth(http.MethodPost, authPath) == 1 {
					apiErrorReply(w, http.StatusConflict, "idempotency_error", "idempotency_key_in_use")
					return true
				}
				return false
			})
			c, waits := newClient(t, px.URL, pf.Training)
			if _, err := authorize(c, 10_00, uniqueName("busy")); err != nil {
				t.Fatalf("Authorizations.Create after a 409 idempotency_key_in_use: %v", err)
			}
			sameKey(t, px.matching(http.MethodPost, authPath), 2)
			if len(waits.all()) != 1 {
				t.Fatalf("waits = %v, want one", waits.all())
			}
		})

		t.Run("other 4xx are not retried", func(t *testing.T) {
			px := newProxy(t, pf.URL, nil)
			c, waits := newClient(t, px.URL, pf.Training)
			_, err := authorize(c, -1, "")
			if e := apiError(t, err); e.Status != http.StatusBadRequest {
				t.Fatalf("negative amount = %v, want 400", err)
			}
			_, err = authorize(c, acct.CreditLimit+1, "")
			if e := apiError(t, err); e.Status != http.StatusPaymentRequired {
				t.Fatalf("over the limit = %v, want 402", err)
			}
			px409 := px.matching(http.MethodPost, authPath)
			if len(px409) != 2 || len(waits.all()) != 0 {
				t.Fatalf("%d attempts and waits %v for two 4xx calls; want 2 attempts and no wait", len(px409), waits.all())
			}
			if px409[0].IdempotencyKey == px409[1].IdempotencyKey {
				t.Fatal("two calls shared an Idempotency-Key: each logical call needs its own")
			}
		})

		t.Run("retries run out", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == authPath {
					w.Header().Set("Retry-After", "2")
					apiErrorReply(w, http.StatusServiceUnavailable, "api_error", "unavailable")
					return true
				}
				return false
			})
			c, waits := newClient(t, px.URL, pf.Training, sdk.WithMaxRetries(3))
			_, err := authorize(c, 10_00, "")
			e := apiError(t, err)
			if e.Status != http.StatusServiceUnavailable || e.Code != sdk.CodeUnavailable || e.RequestID != "req_proxy" || e.RetryAfter != 2*time.Second {
				t.Fatalf("error = %+v, want the last 503 with its Retry-After", e)
			}
			sameKey(t, px.matching(http.MethodPost, authPath), 4)
			if len(waits.all()) != 3 {
				t.Fatalf("waits = %v, want 3", waits.all())
			}
		})

		t.Run("no retries", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == "/v1/stores" {
					apiErrorReply(w, http.StatusInternalServerError, "api_error", "internal_error")
					return true
				}
				return false
			})
			c, _ := newClient(t, px.URL, pf.Training, sdk.WithMaxRetries(0))
			if _, err := c.Stores.List(ctx, nil); apiError(t, err).Code != sdk.CodeInternalError {
				t.Fatalf("Stores.List = %v, want internal_error", err)
			}
			if n := px.nth(http.MethodGet, "/v1/stores"); n != 1 {
				t.Fatalf("%d attempts with WithMaxRetries(0), want 1", n)
			}
		})

		t.Run("GET retried after a dropped connection", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == "/v1/stores" && p.nth(http.MethodGet, "/v1/stores") == 1 {
					drop(t, w)
					return true
				}
				return false
			})
			hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			c, waits := newClient(t, px.URL, pf.Training, sdk.WithHTTPClient(hc))
			stores, err := c.Stores.List(ctx, nil)
			if err != nil || len(stores.Data) != 2 {
				t.Fatalf("Stores.List after a dropped connection = %+v, %v", stores, err)
			}
			gets := px.matching(http.MethodGet, "/v1/stores")
			if len(gets) != 2 || len(waits.all()) != 1 || gets[0].IdempotencyKey != "" {
				t.Fatalf("%d GETs (key %q), waits %v; want 2 GETs without a key and one wait", len(gets), gets[0].IdempotencyKey, waits.all())
			}
		})

		t.Run("caller's key", func(t *testing.T) {
			px := newProxy(t, pf.URL, nil)
			c, _ := newClient(t, px.URL, pf.Training)
			key := "order-1042/authorize/" + uniqueName("k")
			p := &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 5_00, Currency: "CAD", StoreID: on,
				Channel: sdk.ChannelOnline, IdempotencyKey: key}
			if _, err := c.Authorizations.Create(ctx, p); err != nil {
				t.Fatal(err)
			}
			exs := px.matching(http.MethodPost, authPath)
			if len(exs) != 1 || exs[0].IdempotencyKey != key || strings.Contains(exs[0].Body, key) {
				t.Fatalf("sent key %q (in body: %v), want %q in the header only", exs[0].IdempotencyKey, strings.Contains(exs[0].Body, key), key)
			}
		})

		t.Run("transport errors are wrapped", func(t *testing.T) {
			dead := httptest.NewServer(http.NotFoundHandler())
			addr := dead.URL
			dead.Close()
			c, waits := newClient(t, addr, pf.Training, sdk.WithMaxRetries(1))
			_, err := c.Stores.List(ctx, nil)
			var te *sdk.TransportError
			var op *net.OpError
			if !errors.As(err, &te) || !errors.As(err, &op) || !strings.Contains(te.Op, "/oauth/token") {
				t.Fatalf("Stores.List on a closed port = %v (%T), want a *sdk.TransportError wrapping a *net.OpError", err, err)
			}
			if len(waits.all()) != 1 {
				t.Fatalf("waits = %v, want the one retry", waits.all())
			}
		})

		t.Run("context cancelled while waiting", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == authPath {
					apiErrorReply(w, http.StatusServiceUnavailable, "api_error", "unavailable")
					return true
				}
				return false
			})
			cctx, cancel := context.WithCancel(ctx)
			c, _ := newClient(t, px.URL, pf.Training, sdk.WithRetryWait(func(ctx context.Context, d time.Duration) error {
				cancel()
				return ctx.Err()
			}))
			_, err := c.Authorizations.Create(cctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 10_00,
				Currency: "CAD", StoreID: on, Channel: sdk.ChannelOnline})
			var e *sdk.Error
			if !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable {
				t.Fatalf("cancelled call = %v; want context.Canceled and the 503 that was being retried", err)
			}
			if n := px.nth(http.MethodPost, authPath); n != 1 {
				t.Fatalf("%d attempts after cancellation, want 1", n)
			}
		})

		t.Run("attempt timeout", func(t *testing.T) {
			px := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == "/v1/plans" && p.nth(http.MethodGet, "/v1/plans") == 1 {
					<-r.Context().Done() // hang until the client gives up on this attempt
					return true
				}
				return false
			})
			c, waits := newClient(t, px.URL, pf.Training, sdk.WithTimeout(200*time.Millisecond))
			plans, err := c.Plans.List(ctx)
			if err != nil || len(plans.Data) != 3 {
				t.Fatalf("Plans.List after a hung attempt = %+v, %v", plans, err)
			}
			if len(waits.all()) != 1 {
				t.Fatalf("waits = %v, want one retry after the attempt timed out", waits.all())
			}
		})
	})
}
