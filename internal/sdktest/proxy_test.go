package sdktest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// exchange is one request that went through a proxy.
type exchange struct {
	Method, Path   string
	IdempotencyKey string
	Authorization  string
	ContentType    string
	UserAgent      string
	Language       string
	Body           string
	// Status and Replayed (Idempotent-Replayed: true) are the reply the
	// client got, when the proxy forwarded one.
	Status   int
	Replayed bool
}

// proxy is an HTTP server in front of the real one that records every
// exchange and lets a test inject faults.
type proxy struct {
	*httptest.Server
	target string

	mu        sync.Mutex
	exchanges []*exchange
	// fault, when set, may answer a request itself (returning true).
	fault func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool
}

func newProxy(t testing.TB, target string, fault func(p *proxy, w http.ResponseWriter, r *http.Request, ex *exchange) bool) *proxy {
	t.Helper()
	p := &proxy{target: target, fault: fault}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ex := &exchange{Method: r.Method, Path: r.URL.Path, IdempotencyKey: r.Header.Get("Idempotency-Key"),
		Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"),
		UserAgent: r.Header.Get("User-Agent"), Language: r.Header.Get("Accept-Language"), Body: string(body)}
	p.mu.Lock()
	p.exchanges = append(p.exchanges, ex)
	p.mu.Unlock()
	if p.fault != nil && p.fault(p, w, r, ex) {
		return
	}
	resp, respBody, err := p.forward(r, ex)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(respBody)
}

// forward sends the request to the real server and reads its whole reply.
func (p *proxy) forward(r *http.Request, ex *exchange) (*http.Response, []byte, error) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader([]byte(ex.Body)))
	if err != nil {
		return nil, nil, err
	}
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	p.mu.Lock()
	ex.Status, ex.Replayed = resp.StatusCode, resp.Header.Get("Idempotent-Replayed") == "true"
	p.mu.Unlock()
	return resp, b, err
}

// matching returns the exchanges of method and path so far.
func (p *proxy) matching(method, path string) []exchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []exchange
	for _, ex := range p.exchanges {
		if ex.Method == method && ex.Path == path {
			out = append(out, *ex)
		}
	}
	return out
}

// nth counts, under the proxy's lock, the requests of method and path
// seen so far (the current one included).
func (p *proxy) nth(method, path string) int {
	return len(p.matching(method, path))
}

// drop closes the client's connection without a reply.
func drop(t testing.TB, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// apiErrorReply writes an API.md error envelope.
func apiErrorReply(w http.ResponseWriter, status int, typ, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_proxy")
	w.WriteHeader(status)
	io.WriteString(w, `{"error":{"type":"`+typ+`","code":"`+code+`","message":"injected by the test proxy","request_id":"req_proxy"}}`)
}
