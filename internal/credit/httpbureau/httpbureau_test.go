package httpbureau

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
)

func testInquiry() credit.Inquiry {
	return credit.Inquiry{
		Reference: "app_01test",
		Consent: openflex.Consent{
			CreditCheck: true, TermsAccepted: true,
			At: time.Date(2026, 11, 23, 14, 40, 0, 0, time.FixedZone("EST", -5*3600)),
			IP: "203.0.113.7", TermsVersion: "2026-11",
		},
		Applicant: openflex.Applicant{
			FirstName: "Zoë", MiddleName: "A-RR_L", LastName: "O'Brien",
			DateOfBirth: "1990-04-15", Email: "zoe@example.com", Phone: "+14165550199",
			Address: openflex.Address{
				Line1: "100 Queen St W", City: "Toronto", Province: "ON", PostalCode: "M5H 2N2",
			},
			AnnualIncome: 60_000_00, EmploymentStatus: "employed", HousingStatus: "rent",
			MonthlyHousingCost: 1_500_00, SIN: "123456782",
		},
	}
}

// step is what the test server does on one call.
type step func(w http.ResponseWriter, r *http.Request)

func reply(status int, body string) step {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// hang blocks until the client gives up on the request. It reads the body
// first: only then does the server watch the connection, and cancel the
// request's context when the client hangs up.
func hang(_ http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

// hangUp drops the connection without an answer: a network error.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

const okBody = `{"hit":true,"score":742,"fraud_alert":false,"trades":5,"reference":"EQ-123","extra":"ignored"}`

// server serves steps in order (the last one repeats) and counts calls.
func server(t testing.TB, steps ...step) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		steps[min(n, len(steps))-1](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestInquire(t *testing.T) {
	goodReport := credit.Report{Bureau: "equifax-http", Hit: true, Score: 742, Trades: 5, Reference: "EQ-123"}
	tests := []struct {
		name      string
		steps     []step
		want      credit.Report
		wantErr   string // substring of the logged detail; "" for success
		wantCalls int32  // 0: do not check (the server may not see a timed-out call)
	}{
		{name: "success", steps: []step{reply(200, okBody)}, want: goodReport, wantCalls: 1},
		{name: "no hit", steps: []step{reply(200, `{"hit":false,"fraud_alert":false}`)},
			want: credit.Report{Bureau: "equifax-http"}, wantCalls: 1},
		{name: "fraud alert", steps: []step{reply(200, `{"hit":true,"score":700,"fraud_alert":true,"trades":1,"reference":"EQ-9"}`)},
			want: credit.Report{Bureau: "equifax-http", Hit: true, Score: 700, Fraud: true, Trades: 1, Reference: "EQ-9"}, wantCalls: 1},
		{name: "500 then success", steps: []step{reply(500, `{}`), reply(200, okBody)}, want: goodReport, wantCalls: 2},
		{name: "dropped connection then success", steps: []step{hangUp, reply(200, okBody)}, want: goodReport, wantCalls: 2},
		{name: "two 500s", steps: []step{reply(500, `{}`), reply(500, `{}`), reply(200, okBody)},
			wantErr: "attempt 2: status 500", wantCalls: 2},
		{name: "503 then 502", steps: []step{reply(503, ``), reply(502, ``)}, wantErr: "status 502", wantCalls: 2},
		{name: "timeout twice", steps: []step{hang}, wantErr: "no answer within 50ms"},
		{name: "400 is not retried", steps: []step{reply(400, `{"error":"bad sin"}`), reply(200, okBody)},
			wantErr: "attempt 1: status 400", wantCalls: 1},
		{name: "401 is not retried", steps: []step{reply(401, ``), reply(200, okBody)}, wantErr: "status 401", wantCalls: 1},
		{name: "malformed JSON", steps: []step{reply(200, `{"hit":tru`), reply(200, okBody)}, wantErr: "malformed response", wantCalls: 1},
		{name: "HTML error page", steps: []step{reply(200, `<html>maintenance</html>`)}, wantErr: "malformed response", wantCalls: 1},
		{name: "missing hit", steps: []step{reply(200, `{"score":800}`)}, wantErr: `no "hit"`, wantCalls: 1},
		{name: "score out of range", steps: []step{reply(200, `{"hit":true,"score":990}`)}, wantErr: "score 990", wantCalls: 1},
		{name: "score of wrong type", steps: []step{reply(200, `{"hit":true,"score":"742"}`)}, wantErr: "malformed response", wantCalls: 1},
		{name: "trailing garbage", steps: []step{reply(200, okBody+`}`)}, wantErr: "malformed response", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, calls := server(t, tt.steps...)
			c := &Client{URL: srv.URL, APIKey: "k", Name: "equifax-http", Timeout: 50 * time.Millisecond}
			got, err := c.Inquire(context.Background(), testInquiry())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Inquire(...) error = %v, want none", err)
			case tt.wantErr == "" && got != tt.want:
				t.Errorf("Inquire(...) = %+v, want %+v", got, tt.want)
			case tt.wantErr != "":
				checkUnavailable(t, err, tt.wantErr)
				if got != (credit.Report{}) {
					t.Errorf("Inquire(...) = %+v with an error, want the zero Report", got)
				}
			}
			if n := calls.Load(); tt.wantCalls != 0 && n != tt.wantCalls || n > 2 {
				t.Errorf("Inquire(...) made %d calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

// checkUnavailable asserts the credit.Bureau error contract.
func checkUnavailable(t testing.TB, err error, detail string) {
	t.Helper()
	if !errors.Is(err, credit.ErrUnavailable) {
		t.Fatalf("Inquire(...) error = %v, want one wrapping credit.ErrUnavailable", err)
	}
	if got := openflex.ErrorCode(err); got != openflex.CodeBureauUnavailable {
		t.Errorf("ErrorCode(Inquire(...) error) = %s, want %s", got, openflex.CodeBureauUnavailable)
	}
	if !strings.Contains(err.Error(), detail) {
		t.Errorf("Inquire(...) error = %q, want detail %q for the log", err, detail)
	}
	for _, secret := range []string{"123456782", "1990-04-15", "bad sin", "Bearer"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Inquire(...) error = %q leaks %q", err, secret)
		}
	}
}

func TestInquireRequest(t *testing.T) {
	type captured struct {
		header http.Header
		body   map[string]any
	}
	// A channel, not shared variables: the race detector sees no order
	// through the socket.
	seen := make(chan captured, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method = %s, want POST", r.Method)
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("decode request body: %v", err)
		}
		seen <- captured{r.Header.Clone(), body}
		io.WriteString(w, okBody)
	}))
	defer srv.Close()
	c := &Client{URL: srv.URL, APIKey: "sk_bureau_test"}
	r, err := c.Inquire(context.Background(), testInquiry())
	if err != nil {
		t.Fatalf("Inquire(...) error = %v", err)
	}
	first := <-seen
	header, body := first.header, first.body
	if r.Bureau != "http" {
		t.Errorf("Inquire(...).Bureau = %q, want the default %q", r.Bureau, "http")
	}
	for name, want := range map[string]string{
		"Authorization":   "Bearer sk_bureau_test",
		"Content-Type":    "application/json",
		"Idempotency-Key": "app_01test",
	} {
		if got := header.Get(name); got != want {
			t.Errorf("request header %s = %q, want %q", name, got, want)
		}
	}
	want := map[string]any{
		"reference": "app_01test",
		"consent": map[string]any{
			"at": "2026-11-23T19:40:00Z", "ip": "203.0.113.7", "terms_version": "2026-11",
		},
		"applicant": map[string]any{
			"first_name": "Zoë", "middle_name": "A-RR_L", "last_name": "O'Brien",
			"date_of_birth": "1990-04-15", "sin": "123456782", "phone": "+14165550199",
			"address": map[string]any{
				"line1": "100 Queen St W", "city": "Toronto", "province": "ON", "postal_code": "M5H 2N2",
			},
		},
	}
	if got, _ := json.Marshal(body); string(got) != mustJSON(t, want) {
		t.Errorf("request body = %s, want %s", got, mustJSON(t, want))
	}

	// Without a SIN the field is left out rather than sent empty.
	q := testInquiry()
	q.Applicant.SIN = ""
	if _, err := c.Inquire(context.Background(), q); err != nil {
		t.Fatalf("Inquire(no SIN) error = %v", err)
	}
	body = (<-seen).body
	if _, ok := body["applicant"].(map[string]any)["sin"]; ok {
		t.Errorf("request body %v has a sin, want none when the applicant gave none", body)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInquireCancelled checks that a caller who gives up is not retried on:
// each attempt may be a hard inquiry on the applicant's file.
func TestInquireCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, calls := server(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		hang(w, r)
	})
	c := &Client{URL: srv.URL, Timeout: 5 * time.Second}
	_, err := c.Inquire(ctx, testInquiry())
	checkUnavailable(t, err, "attempt 1")
	if n := calls.Load(); n != 1 {
		t.Errorf("Inquire(cancelled) made %d calls, want 1", n)
	}
}

func TestInquireRefuses(t *testing.T) {
	noConsent := testInquiry()
	noConsent.Consent.CreditCheck = false
	tests := []struct {
		name   string
		client *Client
		q      credit.Inquiry
		detail string
	}{
		{"no consent", &Client{URL: "https://bureau.example/inquiries"}, noConsent, "consent"},
		{"plain http", &Client{URL: "http://bureau.example/inquiries"}, testInquiry(), "plain http"},
		{"other scheme", &Client{URL: "ftp://bureau.example/inquiries"}, testInquiry(), "https"},
		{"relative URL", &Client{URL: "/inquiries"}, testInquiry(), "absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No network is touched: the refusals come first.
			tt.client.HTTPClient = &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				t.Error("Inquire(...) sent a request it should have refused")
				return nil, errors.New("refused")
			})}
			_, err := tt.client.Inquire(context.Background(), tt.q)
			checkUnavailable(t, err, tt.detail)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewMTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCert(t, dir, "ca", nil, nil)
	_, _ = newCert(t, dir, "server", ca, caKey)
	_, _ = newCert(t, dir, "client", ca, caKey)

	serverCert, err := tls.LoadX509KeyPair(filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "client" {
			t.Errorf("server saw no client certificate")
		}
		io.WriteString(w, okBody)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	// The rejected handshake below is expected; keep it out of the test log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()

	c, err := NewMTLS(srv.URL, filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key"), filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatalf("NewMTLS(...) error = %v", err)
	}
	if c.Timeout != DefaultTimeout {
		t.Errorf("NewMTLS(...).Timeout = %v, want %v", c.Timeout, DefaultTimeout)
	}
	if r, err := c.Inquire(context.Background(), testInquiry()); err != nil || !r.Hit {
		t.Fatalf("Inquire(mTLS) = %+v, %v, want a hit", r, err)
	}

	// Without the client certificate the bureau refuses the handshake.
	noCert := &Client{URL: srv.URL, Timeout: 5 * time.Second, HTTPClient: &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}}
	_, err = noCert.Inquire(context.Background(), testInquiry())
	checkUnavailable(t, err, "attempt 2")

	for _, tt := range []struct{ name, cert, key, ca string }{
		{"missing certificate", "nope.pem", "client.key", "ca.pem"},
		{"missing CA", "client.pem", "client.key", "nope.pem"},
		{"CA not PEM", "client.pem", "client.key", "client.key"},
	} {
		if _, err := NewMTLS(srv.URL, filepath.Join(dir, tt.cert), filepath.Join(dir, tt.key), filepath.Join(dir, tt.ca)); err == nil {
			t.Errorf("NewMTLS(%s) error = nil, want one", tt.name)
		}
	}
}

// newCert writes name.pem and name.key to dir: a CA when parent is nil,
// else a certificate for 127.0.0.1 signed by parent.
func newCert(t testing.TB, dir, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	signer, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		tmpl.ExtKeyUsage, tmpl.IPAddresses = nil, nil
	} else {
		signer, signerKey = parent, parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(dir, name+".pem"), "CERTIFICATE", der)
	writePEM(t, filepath.Join(dir, name+".key"), "EC PRIVATE KEY", keyDER)
	return cert, key
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
