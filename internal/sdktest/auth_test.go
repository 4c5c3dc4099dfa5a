package sdktest_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/sdk"
)

// TestToken checks the client credentials grant, the reuse of a token,
// its refresh before expiry and after the server refuses it.
func TestToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		pf := apptest.Start(t, e)
		ctx := context.Background()
		px := newProxy(t, pf.URL, nil)
		c, _ := newClient(t, px.URL, pf.Training, sdk.WithUserAgent("MapleDesk-POS/4.2"), sdk.WithLanguage("fr-CA"))

		if _, err := c.Stores.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Plans.List(ctx); err != nil {
			t.Fatal(err)
		}
		toks := px.matching(http.MethodPost, "/oauth/token")
		if len(toks) != 1 || tokenFetches(t, c) != 1 {
			t.Fatalf("%d token requests for two calls, want 1", len(toks))
		}
		// RFC 6749 §4.4 with HTTP Basic client authentication; the secret
		// never travels in the body.
		wantBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(pf.Training.ClientID+":"+pf.Training.ClientSecret))
		if tr := toks[0]; tr.Body != "grant_type=client_credentials" || tr.ContentType != "application/x-www-form-urlencoded" ||
			tr.Authorization != wantBasic {
			t.Fatalf("token request = %+v, want a form-encoded client_credentials grant with Basic auth", tr)
		}
		first := token(t, c)
		if !strings.HasPrefix(first, "oft_train_") {
			t.Fatalf("token %q, want oft_train_…", first)
		}
		for _, ex := range px.matching(http.MethodGet, "/v1/stores") {
			if ex.Authorization != "Bearer "+first {
				t.Fatalf("/v1 request Authorization = %q, want the bearer token", ex.Authorization)
			}
			if !strings.HasPrefix(ex.UserAgent, "MapleDesk-POS/4.2 openflex-go/") || ex.Language != "fr-CA" {
				t.Fatalf("User-Agent %q, Accept-Language %q; want the integration's name first and fr-CA", ex.UserAgent, ex.Language)
			}
		}

		t.Run("public endpoint without a token", func(t *testing.T) {
			if _, err := c.Promotions.Get(ctx, 500_00); err != nil {
				t.Fatal(err)
			}
			ex := px.matching(http.MethodGet, "/v1/public/promotions")
			if len(ex) != 1 || ex[0].Authorization != "" {
				t.Fatalf("promotion requests = %+v, want one without Authorization", ex)
			}
		})

		t.Run("refreshed before expiry", func(t *testing.T) {
			expireToken(t, c)
			if _, err := c.Stores.List(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if n := tokenFetches(t, c); n != 2 {
				t.Fatalf("token fetches after expiry = %d, want 2", n)
			}
			if token(t, c) == first {
				t.Fatal("the expired token is still in use")
			}
			last := px.matching(http.MethodGet, "/v1/stores")
			if got := last[len(last)-1].Authorization; got != "Bearer "+token(t, c) {
				t.Fatalf("request after refresh sent %q, want the new token", got)
			}
		})

		t.Run("refused token is replaced once", func(t *testing.T) {
			refuseToken(t, c, "oft_train_revokedrevokedrevokedrevokedrevoked")
			before := tokenFetches(t, c)
			auth := approvedAccount(t, c, pf.Stores[0].ID) // a POST: its retry must work too
			if auth == nil || tokenFetches(t, c) != before+1 {
				t.Fatalf("token fetches = %d, want %d after one 401 invalid_token", tokenFetches(t, c), before+1)
			}
			posts := px.matching(http.MethodPost, "/v1/applications")
			if len(posts) != 2 || posts[0].Status != http.StatusUnauthorized || posts[1].Status != http.StatusCreated ||
				posts[0].IdempotencyKey != posts[1].IdempotencyKey {
				t.Fatalf("application attempts = %+v; want a 401 then a 201 with the same key", posts)
			}
		})

		t.Run("revoked key set", func(t *testing.T) {
			k := pf.NewKeys(t, pf.Merchant.ID, openflex.Training)
			rc, waits := newClient(t, pf.URL, k)
			if _, err := rc.Plans.List(ctx); err != nil {
				t.Fatal(err)
			}
			ks, err := pf.Main.Stores.Control.KeySetByClientID(ctx, k.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if err := pf.Main.Keys.Revoke(ctx, ks.ID, keys.Actor{Name: "test"}); err != nil {
				t.Fatal(err)
			}
			// The token stops at once; the client tries a new one, which
			// the token endpoint refuses.
			_, err = rc.Plans.List(ctx)
			if e := apiError(t, err); e.Status != http.StatusUnauthorized || e.Code != sdk.CodeInvalidClient {
				t.Fatalf("Plans.List after revocation = %v, want 401 invalid_client", err)
			}
			if n := tokenFetches(t, rc); n != 1 || len(waits.all()) != 0 {
				t.Fatalf("token fetches %d (want 1 success), waits %v (want none)", n, waits.all())
			}
		})

		t.Run("refreshed once only", func(t *testing.T) {
			refusing := newProxy(t, pf.URL, func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool {
				if r.URL.Path == "/v1/stores" {
					apiErrorReply(w, http.StatusUnauthorized, "authentication_error", "invalid_token")
					return true
				}
				return false
			})
			c, waits := newClient(t, refusing.URL, pf.Training)
			_, err := c.Stores.List(ctx, nil)
			if e := apiError(t, err); e.Code != sdk.CodeInvalidToken {
				t.Fatalf("Stores.List = %v, want the second 401 invalid_token", err)
			}
			if n := refusing.nth(http.MethodGet, "/v1/stores"); n != 2 || tokenFetches(t, c) != 2 || len(waits.all()) != 0 {
				t.Fatalf("%d attempts, %d token fetches, waits %v; want 2, 2 and none", n, tokenFetches(t, c), waits.all())
			}
		})
	})
}

// TestConcurrentUse shares one client between 20 goroutines: one token
// fetch, every purchase held exactly once.
func TestConcurrentUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		pf := apptest.Start(t, e)
		ctx := context.Background()
		setup, _ := newClient(t, pf.URL, pf.Training)
		on := pf.Stores[0].ID
		acct := approvedAccount(t, setup, on)

		c, _ := newClient(t, pf.URL, pf.Training)
		const workers = 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for i := range workers {
			wg.Go(func() {
				ref := fmt.Sprintf("concurrent-%02d", i)
				auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 10_00,
					Currency: "CAD", StoreID: on, Channel: sdk.ChannelOnline, Reference: ref})
				if err != nil {
					errs <- fmt.Errorf("worker %d: Create: %w", i, err)
					return
				}
				if got, err := c.Authorizations.Get(ctx, auth.ID); err != nil || got.Reference != ref {
					errs <- fmt.Errorf("worker %d: Get = %+v, %w", i, got, err)
					return
				}
				if _, err := c.Stores.List(ctx, nil); err != nil {
					errs <- fmt.Errorf("worker %d: Stores.List: %w", i, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := tokenFetches(t, c); n != 1 {
			t.Errorf("20 goroutines fetched %d tokens, want 1", n)
		}
		if n := count(t, c.Authorizations.All(ctx, &sdk.AuthorizationListParams{AccountNumber: acct.AccountNumber,
			ListParams: sdk.ListParams{Limit: 7}})); n != workers {
			t.Errorf("%d authorizations on the account, want %d", n, workers)
		}
		a, err := c.Accounts.Get(ctx, acct.AccountNumber)
		if err != nil || a.AvailableCredit != acct.AvailableCredit-workers*10_00 {
			t.Fatalf("available credit = %+v, %v; want %d", a, err, acct.AvailableCredit-workers*10_00)
		}

		// The same call from several goroutines with one caller key (a
		// till that double-submits): one authorization, one hold.
		ids := make([]string, 8)
		var wg2 sync.WaitGroup
		for i := range ids {
			wg2.Go(func() {
				auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{AccountNumber: acct.AccountNumber, Amount: 33_00,
					Currency: "CAD", StoreID: on, Channel: sdk.ChannelOnline, Reference: "double-submit", IdempotencyKey: "till-7/sale-1042"})
				if err != nil {
					t.Errorf("goroutine %d: %v", i, err)
					return
				}
				ids[i] = auth.ID
			})
		}
		wg2.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("one key gave authorizations %v, want one", ids)
			}
		}
		if l, err := c.Authorizations.List(ctx, &sdk.AuthorizationListParams{Reference: "double-submit"}); err != nil || len(l.Data) != 1 {
			t.Fatalf("authorizations with the reference = %+v, %v; want 1", l, err)
		}
		if b, err := c.Accounts.Get(ctx, acct.AccountNumber); err != nil || b.AvailableCredit != a.AvailableCredit-33_00 {
			t.Fatalf("available credit = %+v, %v; want %d", b, err, a.AvailableCredit-33_00)
		}
	})
}

// TestRateLimited runs against a server limited to one request a second
// per key set: its 429 comes back typed, with the Retry-After the client
// waited before retrying.
func TestRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		pf := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) { c.RateTraining = 1 }})
		ctx := context.Background()
		c, waits := newClient(t, pf.URL, pf.Training, sdk.WithMaxRetries(1))
		var last error
		for range 3 {
			if _, last = c.Stores.List(ctx, nil); last != nil {
				break
			}
		}
		ae := apiError(t, last)
		if ae.Status != http.StatusTooManyRequests || ae.Type != sdk.ErrorTypeRateLimit || ae.Code != sdk.CodeRateLimited || ae.RetryAfter < time.Second {
			t.Fatalf("error = %+v, want 429 rate_limited with a Retry-After of at least 1s", ae)
		}
		w := waits.all()
		if len(w) != 1 || w[0] < time.Second {
			t.Fatalf("waits = %v, want one of at least the server's Retry-After", w)
		}
	})
}
