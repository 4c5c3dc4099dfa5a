package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
)

// env is one API under test on one storage engine.
type env struct {
	t      *testing.T
	stores *sqlstore.Stores
	keys   *keys.Service
	merch  *merchant.Service
	srv    *Server
	http   *httptest.Server
	// remote is the peer address requests appear to come from.
	remote  string
	mu      sync.Mutex
	credit  map[openflex.Environment]*credit.Service
	lending map[openflex.Environment]*lending.Service
	// planes are the server's planes; a test may add a service to one
	// before its first request.
	planes    plane.Planes
	servicing map[openflex.Environment]*engine.Service
	// skew moves the clock of the key service (token expiry, secret grace).
	skew time.Duration
}

func (ev *env) now() time.Time {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return time.Now().Add(ev.skew)
}

// advance moves the clock forward.
func (ev *env) advance(d time.Duration) {
	ev.mu.Lock()
	ev.skew += d
	ev.mu.Unlock()
}

func newEnv(t *testing.T, e storetest.Engine, tweak ...func(*Config)) *env {
	t.Helper()
	return newEnvAt(t, e.Config(t), tweak...)
}

// newEnvAt runs the API on stores opened with cfg.
func newEnvAt(t *testing.T, cfg sqlstore.Config, tweak ...func(*Config)) *env {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ev := &env{t: t, stores: s, remote: "203.0.113.9:5555"}
	ks := &keys.Service{Store: s.Control, Hasher: keys.NewHasher(bytes.Repeat([]byte{7}, 32)), Now: ev.now, CacheTTL: keys.DefaultCacheTTL}
	t.Cleanup(ks.StartWatch())
	ev.credit, ev.lending = map[openflex.Environment]*credit.Service{}, map[openflex.Environment]*lending.Service{}
	ev.servicing = map[openflex.Environment]*engine.Service{}
	for _, env := range openflex.Environments {
		ev.credit[env] = &credit.Service{Env: env, Store: s.Data(env), Bureau: credit.Simulator{}, Policy: credit.DefaultPolicy(),
			CodeKey: []byte("test code key"), Now: ev.now}
		ev.servicing[env] = &engine.Service{Env: env, Store: s.Data(env), Render: RenderEvent(env), Verifier: ev.credit[env], Now: ev.now,
			Directory: s.Control}
		ev.lending[env] = &lending.Service{Env: env, Store: s.Data(env), Verifier: ev.credit[env], Render: RenderEvent(env), Servicing: ev.servicing[env], Now: ev.now}
	}
	ev.credit[openflex.Production].Bureau = nil // no bureau configured: 503
	ev.planes = plane.Planes{}
	for _, env := range openflex.Environments {
		ev.planes[env] = &plane.Plane{Env: env, Credit: ev.credit[env], Lending: ev.lending[env], Servicing: ev.servicing[env]}
	}
	apiCfg := Config{
		Planes:  ev.planes,
		Control: s.Control,
		Data:    func(env openflex.Environment) DataPlane { return s.Data(env) },
		Keys:    ks, Ready: s.Ping, Now: ev.now,
		RateLimits: map[openflex.Environment]float64{openflex.Training: 1000, openflex.Production: 1000},
	}
	for _, f := range tweak {
		f(&apiCfg)
	}
	ev.keys, ev.merch = ks, &merchant.Service{Store: s.Control, Now: time.Now}
	ev.srv = New(apiCfg)
	ev.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev.mu.Lock()
		r.RemoteAddr = ev.remote
		ev.mu.Unlock()
		ev.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ev.http.Close)
	return ev
}

func (ev *env) from(addr string) {
	ev.mu.Lock()
	ev.remote = addr
	ev.mu.Unlock()
}

// merchantKeys is a merchant with stores and a key set of one environment.
type merchantKeys struct {
	merchant *openflex.Merchant
	stores   []openflex.Store
	keySet   *openflex.KeySet
	secret   string
}

func (ev *env) merchant(environment openflex.Environment, trustIPs ...string) merchantKeys {
	ev.t.Helper()
	ctx := context.Background()
	m, sts, err := ev.merch.Create(ctx, "Maple Furniture", "dev@maple.example",
		[]merchant.NewStore{{Name: "Toronto", Province: "ON"}, {Name: "Vancouver", Province: "BC"}}, "test")
	if err != nil {
		ev.t.Fatal(err)
	}
	if environment == openflex.Production {
		if err := ev.merch.Approve(ctx, m.ID, "test"); err != nil {
			ev.t.Fatal(err)
		}
		if len(trustIPs) == 0 {
			trustIPs = []string{"0.0.0.0/0", "::/0"}
		}
	}
	ks, secret, err := ev.keys.Create(ctx, keys.NewKeySet{MerchantID: m.ID, Environment: environment, TrustIPs: trustIPs,
		TrustURLs: []string{"https://shop.example.com"}}, keys.Actor{Name: "test"})
	if err != nil {
		ev.t.Fatal(err)
	}
	return merchantKeys{merchant: m, stores: sts, keySet: ks, secret: secret}
}

// token gets a bearer token for mk.
func (ev *env) token(mk merchantKeys) string {
	ev.t.Helper()
	r := ev.form("/oauth/token", "grant_type=client_credentials", mk.keySet.ClientID, mk.secret)
	if r.status != 200 {
		ev.t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r.json["access_token"].(string)
}

type reply struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

// code is the error code of an API error reply.
func (r reply) code() string {
	if e, ok := r.json["error"].(map[string]any); ok {
		if c, ok := e["code"].(string); ok {
			return c
		}
	}
	return ""
}

// message is the message of an API error reply.
func (r reply) message() string {
	e, _ := r.json["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func (r reply) param() string {
	e, _ := r.json["error"].(map[string]any)
	p, _ := e["param"].(string)
	return p
}

func newRequest(ev *env, method, path, body string) *http.Request {
	ev.t.Helper()
	req, err := http.NewRequest(method, ev.http.URL+path, strings.NewReader(body))
	if err != nil {
		ev.t.Fatal(err)
	}
	return req
}

// call sends a request; auth is "Bearer …", "Basic id:secret" or "".
func (ev *env) call(method, path, auth, body string, headers ...string) reply {
	ev.t.Helper()
	req, err := http.NewRequest(method, ev.http.URL+path, strings.NewReader(body))
	if err != nil {
		ev.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if id, secret, ok := strings.Cut(strings.TrimPrefix(auth, "Basic "), ":"); ok && strings.HasPrefix(auth, "Basic ") {
		req.SetBasicAuth(id, secret)
	} else if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return ev.send(req)
}

// form posts a form body, with Basic client auth when id is set.
func (ev *env) form(path, body, id, secret string) reply {
	ev.t.Helper()
	req, _ := http.NewRequest("POST", ev.http.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	return ev.send(req)
}

func (ev *env) send(req *http.Request) reply {
	ev.t.Helper()
	res, err := ev.http.Client().Do(req)
	if err != nil {
		ev.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, header: res.Header, raw: raw}
	json.Unmarshal(raw, &r.json)
	if res.Header.Get("Request-Id") == "" {
		ev.t.Errorf("%s %s: no Request-Id header", req.Method, req.URL.Path)
	}
	checkContract(ev.t, req, res, raw)
	checkFieldErrors(ev.t, req, r)
	return r
}

// checkFieldErrors holds every reply of the API tests to API.md's promise
// that errors lists every field problem: a 400 naming a param lists it.
func checkFieldErrors(t *testing.T, req *http.Request, r reply) {
	t.Helper()
	e, _ := r.json["error"].(map[string]any)
	param, _ := e["param"].(string)
	if r.status != http.StatusBadRequest || param == "" {
		return
	}
	list, _ := e["errors"].([]any)
	for _, f := range list {
		if f, _ := f.(map[string]any); f["param"] == param && f["code"] == e["code"] {
			return
		}
	}
	t.Errorf("%s %s → 400 %s naming %q, but errors does not list it: %s", req.Method, req.URL, e["code"], param, r.raw)
}

var (
	contractOnce   sync.Once
	contractRouter routers.Router
	contractErr    error
)

// checkContract validates every response of a documented route against
// the OpenAPI document, so the document cannot drift from the code.
func checkContract(t *testing.T, req *http.Request, res *http.Response, raw []byte) {
	t.Helper()
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(OpenAPIDocument)
		if err != nil {
			contractErr = err
			return
		}
		if err = doc.Validate(context.Background()); err != nil {
			contractErr = err
			return
		}
		contractRouter, contractErr = legacy.NewRouter(doc)
	})
	if contractErr != nil {
		t.Fatalf("OpenAPI document: %v", contractErr)
	}
	route, params, err := contractRouter.FindRoute(req)
	if err != nil {
		return // undocumented paths (404s, test-only routes) are checked by status alone
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{ExcludeRequestBody: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, res.StatusCode, err, raw)
	}
}
