package securitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/app"
	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/storetest"
)

// floodSMS is a fake SMS gateway (the true edge): it counts the texts a
// customer's phone would have received.
type floodSMS struct{ sent atomic.Int64 }

func (g *floodSMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	g.sent.Add(1)
	w.WriteHeader(http.StatusAccepted)
}

// floodWorld is a platform whose PRODUCTION texts go to a fake gateway,
// with merchant A (the customer's own) and merchants B and C (others).
type floodWorld struct {
	p   *apptest.Platform
	sms *floodSMS
	a   floodMerchant
	b   floodMerchant
	c   floodMerchant
}

type floodMerchant struct {
	id    string
	store string
	keys  map[openflex.Environment]apptest.Keys
}

func floodStart(t *testing.T, e storetest.Engine, tweak func(*app.Config)) *floodWorld {
	t.Helper()
	sms := &floodSMS{}
	gw := httptest.NewServer(sms)
	t.Cleanup(gw.Close)
	p := apptest.Start(t, e, apptest.Options{Tweak: func(c *app.Config) {
		c.SMSURL = gw.URL
		if tweak != nil {
			tweak(c)
		}
	}})
	w := &floodWorld{p: p, sms: sms}
	w.a = floodMerchant{id: p.Merchant.ID, store: p.Stores[0].ID,
		keys: map[openflex.Environment]apptest.Keys{openflex.Training: p.Training, openflex.Production: p.Production}}
	w.b = floodNewMerchant(t, p, "Other Merchant B")
	w.c = floodNewMerchant(t, p, "Other Merchant C")
	return w
}

func floodNewMerchant(t *testing.T, p *apptest.Platform, name string) floodMerchant {
	t.Helper()
	m, stores := p.NewMerchant(t, name)
	if err := p.Main.Merchants.Approve(context.Background(), m.ID, "test"); err != nil {
		t.Fatal(err)
	}
	return floodMerchant{id: m.ID, store: stores[0].ID, keys: map[openflex.Environment]apptest.Keys{
		openflex.Training: p.NewKeys(t, m.ID, openflex.Training), openflex.Production: p.NewKeys(t, m.ID, openflex.Production)}}
}

// floodReply is a /v1 response: status, error code, Retry-After, body.
type floodReply struct {
	status     int
	code       string
	retryAfter string
	json       map[string]any
	raw        string
}

// floodCall sends a /v1 request as m (Basic authentication) in env.
func floodCall(t *testing.T, w *floodWorld, m floodMerchant, env openflex.Environment, method, path string, body any) floodReply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.p.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(m.keys[env].ClientID, m.keys[env].ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := floodReply{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), raw: string(b)}
	json.Unmarshal(b, &r.json)
	if e, ok := r.json["error"].(map[string]any); ok {
		r.code, _ = e["code"].(string)
	}
	return r
}

var floodApplicants atomic.Int64

// floodAccount opens an account for a new customer of merchant m in env.
func floodAccount(t *testing.T, w *floodWorld, m floodMerchant, env openflex.Environment) string {
	t.Helper()
	n := floodApplicants.Add(1)
	last := "Flood" + string(rune('a'+n%26)) + string(rune('a'+(n/26)%26)) + string(rune('a'+(n/676)%26))
	r := floodCall(t, w, m, env, "POST", "/v1/applications", map[string]any{
		"store_id": m.store,
		"applicant": map[string]any{
			"first_name": "Chloé", "middle_name": "A-RR_L", "last_name": last, "date_of_birth": "1988-03-09",
			"email": "chloe@example.com", "phone": "416-555-0142",
			"address":       map[string]any{"line1": "10 Bay St", "city": "Toronto", "province": "ON", "postal_code": "M5J 2R8"},
			"annual_income": 60_000_00, "employment_status": "employed", "housing_status": "rent", "monthly_housing_cost": 1_500_00,
		},
		"consent": map[string]any{"credit_check": true, "terms_accepted": true},
	})
	acct, _ := r.json["account"].(map[string]any)
	if r.status != 201 || acct == nil {
		t.Fatalf("POST /v1/applications in %s = %d %s, want 201 approved with an account", env, r.status, r.raw)
	}
	return acct["account_number"].(string)
}

// floodStartCode asks for a code to be sent to account's holder, as m.
func floodStartCode(t *testing.T, w *floodWorld, m floodMerchant, env openflex.Environment, account string) floodReply {
	t.Helper()
	return floodCall(t, w, m, env, "POST", "/v1/accounts/"+account+"/verifications", map[string]any{"channel": "sms"})
}

// floodGuess presents code for verification id with an in-store purchase.
func floodGuess(t *testing.T, w *floodWorld, m floodMerchant, account, id, code string) floodReply {
	t.Helper()
	return floodCall(t, w, m, openflex.Training, "POST", "/v1/authorizations", map[string]any{
		"account_number": account, "amount": 100_00, "currency": "CAD", "store_id": m.store, "channel": "in_store",
		"verification": map[string]any{"id": id, "code": code},
	})
}

// floodRetryAfter checks r is 429 rate_limited with a Retry-After of at
// least lo and at most hi seconds, and returns it.
func floodRetryAfter(t *testing.T, what string, r floodReply, lo, hi int) int {
	t.Helper()
	secs, err := strconv.Atoi(r.retryAfter)
	if r.status != 429 || r.code != "rate_limited" || err != nil || secs < lo || secs > hi {
		t.Fatalf("%s = %d %s (Retry-After %q), want 429 rate_limited with Retry-After in [%d, %d] s", what, r.status, r.raw, r.retryAfter, lo, hi)
	}
	return secs
}

// TestFloodVerificationsCutAtAccountLimit: another merchant firing 70
// verification requests (concurrently) at a customer's account gets three
// codes sent and 429 rate_limited with Retry-After for the rest; the
// customer's phone (PRODUCTION) or the validation inbox (TRAINING) gets
// three messages. The limit is the account's, across merchants.
func TestFloodVerificationsCutAtAccountLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := floodStart(t, e, nil)
		for _, env := range openflex.Environments {
			t.Run(string(env), func(t *testing.T) {
				account := floodAccount(t, w, w.a, env)
				sentBefore := w.sms.sent.Load()
				var mu sync.Mutex
				var created, limited int
				var wg sync.WaitGroup
				sem := make(chan struct{}, 8)
				for range 70 {
					wg.Add(1)
					sem <- struct{}{}
					go func() {
						defer func() { <-sem; wg.Done() }()
						r := floodStartCode(t, w, w.b, env, account)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case r.status == 201:
							created++
						case r.status == 429 && r.code == "rate_limited" && r.retryAfter != "":
							limited++
							if s, err := strconv.Atoi(r.retryAfter); err != nil || s < 1 || s > 600 {
								t.Errorf("Retry-After %q, want seconds until the oldest code leaves the 10-minute window", r.retryAfter)
							}
						default:
							t.Errorf("verification request = %d %s (Retry-After %q), want 201 or 429 rate_limited with Retry-After", r.status, r.raw, r.retryAfter)
						}
					}()
				}
				wg.Wait()
				// PRODUCTION sends 3 codes in 10 minutes; TRAINING, where
				// nothing reaches a person, 30 (docs/decisions.md).
				want := credit.LimitsFor(env).AccountCodesShort
				if created != want || limited != 70-want {
					t.Fatalf("70 verification requests from another merchant: %d created, %d rate limited; want %d and %d", created, limited, want, 70-want)
				}
				switch env {
				case openflex.Production:
					if n := w.sms.sent.Load() - sentBefore; n != int64(want) {
						t.Fatalf("the customer's phone received %d texts, want %d", n, want)
					}
				case openflex.Training:
					msgs, err := w.p.Main.Stores.Data(openflex.Training).Messages(context.Background(), w.b.id, 1000)
					if err != nil {
						t.Fatal(err)
					}
					if len(msgs) != want {
						t.Fatalf("the validation inbox holds %d messages, want %d", len(msgs), want)
					}
				}
				// The limit is the account's: its own merchant waits too.
				floodRetryAfter(t, "the customer's own merchant asking for a 4th code", floodStartCode(t, w, w.a, env, account), 1, 600)
			})
		}
	})
}

// TestFloodGuessBudgetPerAccount: wrong codes count against the account
// across all its verifications and merchants. One merchant may spend at
// most 10 wrong guesses a day on an account (100 in TRAINING; then its
// requests there are refused), so it cannot lock the customer out alone;
// the account as a whole allows 15 (150), after which every merchant is refused until the day's
// window has passed. TRAINING's code 222222 still passes.
func TestFloodGuessBudgetPerAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := floodStart(t, e, nil)
		env := openflex.Training
		// wrongCodes starts a verification as m and guesses wrong five
		// times: each wrong code is a 402, the fifth locks it.
		wrongCodes := func(t *testing.T, m floodMerchant, account string) {
			t.Helper()
			r := floodStartCode(t, w, m, env, account)
			if r.status != 201 {
				t.Fatalf("start verification = %d %s, want 201", r.status, r.raw)
			}
			id := r.json["id"].(string)
			for i := range 5 {
				if g := floodGuess(t, w, m, account, id, fmt.Sprintf("%06d", 100_001+i)); g.status != 402 || g.code != "verification_failed" {
					t.Fatalf("wrong code #%d = %d %s, want 402 verification_failed", i+1, g.status, g.raw)
				}
			}
		}
		// TRAINING's budgets are ten times PRODUCTION's (10 and 15): 100
		// wrong codes through one merchant, 150 in all.
		l := credit.LimitsFor(env)
		t.Run("one merchant cannot lock the customer out", func(t *testing.T) {
			account := floodAccount(t, w, w.a, env)
			for range l.MerchantWrongDaily / 5 {
				wrongCodes(t, w.b, account)
			}
			floodRetryAfter(t, "one more verification by the merchant that spent its wrong codes", floodStartCode(t, w, w.b, env, account), 600, 86400)
			r := floodStartCode(t, w, w.a, env, account)
			if r.status != 201 {
				t.Fatalf("the customer's own merchant starting a verification after another's 10 wrong guesses = %d %s, want 201", r.status, r.raw)
			}
			if g := floodGuess(t, w, w.a, account, r.json["id"].(string), "222222"); g.status != 201 {
				t.Fatalf("in-store purchase with TRAINING's code 222222 = %d %s, want 201", g.status, g.raw)
			}
		})
		t.Run("the account's budget is shared by every merchant", func(t *testing.T) {
			account := floodAccount(t, w, w.a, env)
			for range l.MerchantWrongDaily / 5 {
				wrongCodes(t, w.b, account)
			}
			for range (l.AccountWrongDaily - l.MerchantWrongDaily) / 5 {
				wrongCodes(t, w.c, account)
			}
			floodRetryAfter(t, "a verification after the account's wrong codes are spent", floodStartCode(t, w, w.a, env, account), 600, 86400)
		})
	})
}

// TestFloodKeySetBudget: one key set's codes over every account are
// budgeted (--verification-codes-per-key-set, 600 an hour by default; 4
// here), so a leaked or careless integration cannot text thousands of
// customers. Another key set has its own budget.
func TestFloodKeySetBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := floodStart(t, e, func(c *app.Config) { c.VerificationCodesPerKeySet = 4 })
		env := openflex.Training
		first, second := floodAccount(t, w, w.a, env), floodAccount(t, w, w.a, env)
		for i, account := range []string{first, first, first, second} {
			if r := floodStartCode(t, w, w.b, env, account); r.status != 201 {
				t.Fatalf("code #%d of the key set's budget of 4 = %d %s, want 201", i+1, r.status, r.raw)
			}
		}
		floodRetryAfter(t, "a 5th code from one key set within the hour", floodStartCode(t, w, w.b, env, second), 3000, 3600)
		other := w.b
		other.keys = map[openflex.Environment]apptest.Keys{env: w.p.NewKeys(t, w.b.id, env)}
		if r := floodStartCode(t, w, other, env, second); r.status != 201 {
			t.Fatalf("a code from another key set of the same merchant = %d %s, want 201 (its own budget)", r.status, r.raw)
		}
	})
}
