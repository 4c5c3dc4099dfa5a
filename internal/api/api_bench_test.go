package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// benchAPI is the API handler on one engine, wired as newEnvAt wires it
// (newEnv takes a *testing.T, so benchmarks build their own), with a
// merchant, a TRAINING bearer token and approved accounts. Requests go
// straight to ServeHTTP: no sockets, so the figures are the server's work.
type benchAPI struct {
	b        *testing.B
	srv      *Server
	auth     string
	store    string
	accounts []string
}

func newBenchAPI(b *testing.B, e storetest.Engine, accounts int) *benchAPI {
	b.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, e.Config(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ks := &keys.Service{Store: s.Control, Hasher: keys.NewHasher(bytes.Repeat([]byte{7}, 32)), Now: time.Now, CacheTTL: keys.DefaultCacheTTL}
	b.Cleanup(ks.StartWatch())
	creditSvc, lendingSvc := map[openflex.Environment]*credit.Service{}, map[openflex.Environment]*lending.Service{}
	for _, env := range openflex.Environments {
		creditSvc[env] = &credit.Service{Env: env, Store: s.Data(env), Bureau: credit.Simulator{}, Policy: credit.DefaultPolicy(),
			CodeKey: []byte("bench code key"), Now: time.Now}
		lendingSvc[env] = &lending.Service{Env: env, Store: s.Data(env), Verifier: creditSvc[env], Render: RenderEvent(env), Now: time.Now}
	}
	a := &benchAPI{b: b, srv: New(Config{
		Credit:  func(env openflex.Environment) *credit.Service { return creditSvc[env] },
		Lending: func(env openflex.Environment) *lending.Service { return lendingSvc[env] },
		Control: s.Control,
		Data:    func(env openflex.Environment) DataPlane { return s.Data(env) },
		Keys:    ks, Ready: s.Ping,
		RateLimits: map[openflex.Environment]float64{openflex.Training: 1e9, openflex.Production: 1e9},
	})}
	m, stores, err := (&merchant.Service{Store: s.Control, Now: time.Now}).Create(ctx, "Maple Furniture", "dev@maple.example",
		[]merchant.NewStore{{Name: "Toronto", Province: "ON"}}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	a.store = stores[0].ID
	set, secret, err := ks.Create(ctx, keys.NewKeySet{MerchantID: m.ID, Environment: openflex.Training}, keys.Actor{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	set, sec, err := ks.Authenticate(ctx, set.ClientID, secret)
	if err != nil {
		b.Fatal(err)
	}
	tok, _, err := ks.IssueToken(ctx, set, sec)
	if err != nil {
		b.Fatal(err)
	}
	a.auth = "Bearer " + tok
	for i := range accounts {
		var app struct {
			Account struct {
				Number string `json:"account_number"`
			} `json:"account"`
		}
		a.post("/v1/applications", applicationBody(a.store, newApplicant("Bench"+letterName(i), credit.MagicApproveLowRisk)), "", http.StatusCreated, &app)
		a.accounts = append(a.accounts, app.Account.Number)
	}
	return a
}

// letterName spells i in letters (applicant names take letters only).
func letterName(i int) string {
	s := ""
	for {
		s = string(rune('a'+i%26)) + s
		if i /= 26; i == 0 {
			return s
		}
	}
}

// discardWriter is a ResponseWriter that keeps only the status, so the
// allocations counted are the server's.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// serve sends one request to the handler and returns its status.
func (a *benchAPI) serve(w *discardWriter, method, path, body, idemKey string) int {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", a.auth)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		r.Header.Set("Idempotency-Key", idemKey)
	}
	clear(w.h)
	w.status = http.StatusOK
	a.srv.ServeHTTP(w, r)
	return w.status
}

// post sends a request during set-up and decodes its JSON answer into out.
func (a *benchAPI) post(path, body, idemKey string, want int, out any) {
	a.b.Helper()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Authorization", a.auth)
	r.Header.Set("Content-Type", "application/json")
	if idemKey != "" {
		r.Header.Set("Idempotency-Key", idemKey)
	}
	a.srv.ServeHTTP(rec, r)
	if rec.Code != want {
		a.b.Fatalf("POST %s = %d, want %d: %s", path, rec.Code, want, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			a.b.Fatal(err)
		}
	}
}

// BenchmarkAPIListTransactions is GET /v1/transactions?store_id= through
// the handler: authentication, the page query and the JSON, on a store
// with 600 transactions (200 authorizations, each captured in part then in
// full).
func BenchmarkAPIListTransactions(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newBenchAPI(b, e, 20)
			for i := range 200 {
				var auth struct {
					ID string `json:"id"`
				}
				a.post("/v1/authorizations", authorizationBody(a.accounts[i%len(a.accounts)], a.store, "online", 100_00, nil, nil), "", http.StatusCreated, &auth)
				a.post("/v1/authorizations/"+auth.ID+"/captures", `{"amount":5000}`, "", http.StatusCreated, nil)
				a.post("/v1/authorizations/"+auth.ID+"/captures", `{"final":true}`, "", http.StatusCreated, nil)
			}
			for _, limit := range []int{10, 100} {
				b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
					path := fmt.Sprintf("/v1/transactions?store_id=%s&limit=%d", a.store, limit)
					w := &discardWriter{h: http.Header{}}
					b.ReportAllocs()
					for b.Loop() {
						if status := a.serve(w, http.MethodGet, path, "", ""); status != http.StatusOK {
							b.Fatalf("GET %s = %d", path, status)
						}
					}
				})
			}
		})
	}
}

// BenchmarkAPIAuthorize is POST /v1/authorizations with an Idempotency-Key
// through the handler: authentication, the store check, the key's claim
// transaction and the authorization's transaction (which also completes
// the key), and the JSON.
func BenchmarkAPIAuthorize(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newBenchAPI(b, e, 20)
			w := &discardWriter{h: http.Header{}}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				body := authorizationBody(a.accounts[i%len(a.accounts)], a.store, "online", 1_00, nil, nil)
				if status := a.serve(w, http.MethodPost, "/v1/authorizations", body, fmt.Sprintf("bench-%d", i)); status != http.StatusCreated {
					b.Fatalf("POST /v1/authorizations = %d", status)
				}
				i++
			}
		})
	}
}
