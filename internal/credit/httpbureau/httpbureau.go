// Package httpbureau is the PRODUCTION credit bureau adapter: it implements
// credit.Bureau by POSTing each inquiry as JSON to the bureau's (or a
// bureau gateway's) HTTPS endpoint. It lives outside package credit so that
// the decision logic never imports net/http.
//
// # Request
//
//	POST {URL}
//	Authorization: Bearer {APIKey}
//	Content-Type: application/json
//	Idempotency-Key: {reference}
//
//	{
//	  "reference": "app_…",                  // the OpenFlex application id
//	  "consent": {
//	    "at": "2026-11-23T19:40:00Z",        // when the applicant consented, RFC 3339 UTC
//	    "ip": "203.0.113.7",                  // from where
//	    "terms_version": "2026-11"           // which terms they accepted
//	  },
//	  "applicant": {
//	    "first_name": "Zoë", "middle_name": "", "last_name": "O'Brien",
//	    "date_of_birth": "1990-04-15",       // YYYY-MM-DD
//	    "sin": "123456782",                   // only when given: 9 digits
//	    "phone": "+14165550199",              // E.164
//	    "address": {"line1": "100 Queen St W", "line2": "Apt 4",   // line2 only when given
//	                "city": "Toronto", "province": "ON", "postal_code": "M5H 2N2"}
//	  }
//	}
//
// Only identity and consent are sent: income, housing and employment answer
// the lender's questions, not the bureau's, and privacy law limits a
// disclosure to what its purpose needs. Names are forwarded exactly as
// validated: the TRAINING simulator's magic middle names mean nothing here.
// The Idempotency-Key (the application id) lets a bureau that honours it
// treat the retry below as the same hard inquiry, not a second one.
//
// # Response
//
// A 2xx with
//
//	{"hit": true, "score": 742, "fraud_alert": false, "trades": 5, "reference": "EQ-123"}
//
// "hit" is required; "score" must be 300–900 when hit is true; unknown
// fields are ignored, so the bureau may add some.
//
// # Failures
//
// Each attempt has its own deadline (Client.Timeout, default 10 s). A
// network error, a timeout or a 5xx is retried exactly once; a 4xx is not
// (the same request would fail the same way). When no usable report comes
// back — both attempts failed, a 4xx, a 3xx, a malformed or out-of-range
// body — Inquire returns an error wrapping credit.ErrUnavailable, so the
// application is answered 503 bureau_unavailable and is never approved.
// The wrapped detail (attempt, status, decode error) is for the log; it
// never includes the response body or the URL, which may echo personal
// data or carry credentials.
//
// # Transport security
//
// URLs must be https, except to a loopback host (local test rigs) or when
// AllowHTTP is set: a SIN never crosses a network in clear text by
// accident. For mutual TLS, pass an http.Client whose Transport has a
// tls.Config with the client certificate and the bureau's CA, or build the
// whole Client with NewMTLS.
package httpbureau

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/openflex/openflex/internal/credit"
)

// DefaultTimeout is the per-attempt deadline when Client.Timeout is zero:
// long enough for a bureau's slow path, short enough that a shopper at the
// till, who may wait for two attempts, is not left hanging.
const DefaultTimeout = 10 * time.Second

// maxBody bounds the response read: a bureau reply is a few hundred bytes.
const maxBody = 1 << 20

// Client is a credit.Bureau that speaks the JSON protocol of the package
// documentation. Its fields are read-only once it is in use; it is safe
// for concurrent use.
type Client struct {
	URL        string        // the inquiry endpoint
	HTTPClient *http.Client  // nil: http.DefaultClient; set one with a tls.Config for mTLS
	Timeout    time.Duration // per attempt; zero: DefaultTimeout
	APIKey     string        // sent as "Authorization: Bearer APIKey" when set
	// Name is Report.Bureau, for the application's record ("equifax-http");
	// empty means "http".
	Name string
	// AllowHTTP permits a plain http URL to a non-loopback host, for test
	// rigs such as a bureau stub in another container. Never in production.
	AllowHTTP bool
}

var _ credit.Bureau = (*Client)(nil)

// NewMTLS returns a Client for endpoint that authenticates with the client
// certificate in certFile/keyFile (PEM) and trusts only the CA certificates
// in caFile (PEM; empty: the system roots). Set APIKey and Name on the
// result as the bureau requires.
func NewMTLS(endpoint, certFile, keyFile, caFile string) (*Client, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("httpbureau: load client certificate: %w", err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("httpbureau: read CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("httpbureau: no PEM certificate in CA file %s", caFile)
		}
		cfg.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = cfg
	return &Client{URL: endpoint, HTTPClient: &http.Client{Transport: transport}, Timeout: DefaultTimeout}, nil
}

// Wire types of the package documentation.
type (
	request struct {
		Reference string        `json:"reference"`
		Consent   consentJSON   `json:"consent"`
		Applicant applicantJSON `json:"applicant"`
	}
	consentJSON struct {
		At           time.Time `json:"at"`
		IP           string    `json:"ip"`
		TermsVersion string    `json:"terms_version"`
	}
	applicantJSON struct {
		FirstName   string      `json:"first_name"`
		MiddleName  string      `json:"middle_name"`
		LastName    string      `json:"last_name"`
		DateOfBirth string      `json:"date_of_birth"`
		SIN         string      `json:"sin,omitempty"`
		Phone       string      `json:"phone"`
		Address     addressJSON `json:"address"`
	}
	addressJSON struct {
		Line1      string `json:"line1"`
		Line2      string `json:"line2,omitempty"`
		City       string `json:"city"`
		Province   string `json:"province"`
		PostalCode string `json:"postal_code"`
	}
	response struct {
		Hit        *bool  `json:"hit"`
		Score      int    `json:"score"`
		FraudAlert bool   `json:"fraud_alert"`
		Trades     int    `json:"trades"`
		Reference  string `json:"reference"`
	}
)

// retryable marks an attempt's failure as worth the one retry, without
// changing its text.
type retryable struct{ error }

func (r retryable) Unwrap() error { return r.error }

func isRetryable(err error) bool {
	var r retryable
	return errors.As(err, &r)
}

// Inquire asks the bureau about q.Applicant. Every error it returns wraps
// credit.ErrUnavailable (see the package documentation for when); it
// refuses, without calling the bureau, an inquiry whose consent does not
// include the credit check, or a URL that would send it in clear text.
func (c *Client) Inquire(ctx context.Context, q credit.Inquiry) (credit.Report, error) {
	if !q.Consent.CreditCheck {
		return credit.Report{}, credit.Unavailable(errors.New("httpbureau: refusing an inquiry without credit-check consent"))
	}
	if err := c.checkURL(); err != nil {
		return credit.Report{}, credit.Unavailable(err)
	}
	body, err := json.Marshal(newRequest(q))
	if err != nil {
		return credit.Report{}, credit.Unavailable(fmt.Errorf("httpbureau: encode request: %w", err))
	}
	var lastErr error
	for attempt := 1; attempt <= 2; attempt++ {
		report, err := c.attempt(ctx, q.Reference, body)
		if err == nil {
			return report, nil
		}
		lastErr = fmt.Errorf("httpbureau: attempt %d: %w", attempt, err)
		// A cancelled caller is gone: retrying would only spend an inquiry.
		if !isRetryable(err) || ctx.Err() != nil {
			break
		}
	}
	return credit.Report{}, credit.Unavailable(lastErr)
}

func newRequest(q credit.Inquiry) request {
	a := q.Applicant
	return request{
		Reference: q.Reference,
		Consent:   consentJSON{At: q.Consent.At.UTC(), IP: q.Consent.IP, TermsVersion: q.Consent.TermsVersion},
		Applicant: applicantJSON{
			FirstName: a.FirstName, MiddleName: a.MiddleName, LastName: a.LastName,
			DateOfBirth: a.DateOfBirth, SIN: a.SIN, Phone: a.Phone,
			Address: addressJSON{
				Line1: a.Address.Line1, Line2: a.Address.Line2, City: a.Address.City,
				Province: string(a.Address.Province), PostalCode: a.Address.PostalCode,
			},
		},
	}
}

// checkURL refuses URLs that would carry personal data in clear text.
func (c *Client) checkURL() error {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return errors.New("httpbureau: URL is not an absolute http(s) URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); c.AllowHTTP || host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("httpbureau: refusing plain http to a non-loopback host (set AllowHTTP for test rigs)")
	}
	return errors.New("httpbureau: URL scheme must be https")
}

// attempt makes one request under its own deadline. Its error is a
// retryable when a second attempt may succeed.
func (c *Client) attempt(ctx context.Context, reference string, body []byte) (credit.Report, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return credit.Report{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	if reference != "" {
		req.Header.Set("Idempotency-Key", reference)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which may hold credentials: keep the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() != nil {
			return credit.Report{}, retryable{fmt.Errorf("no answer within %s: %w", timeout, err)}
		}
		return credit.Report{}, retryable{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case resp.StatusCode >= 500:
		return credit.Report{}, retryable{fmt.Errorf("status %d", resp.StatusCode)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return credit.Report{}, fmt.Errorf("status %d", resp.StatusCode)
	case err != nil:
		return credit.Report{}, retryable{fmt.Errorf("read response: %w", err)}
	case len(data) > maxBody:
		return credit.Report{}, fmt.Errorf("response larger than %d bytes", maxBody)
	}
	return c.decode(data)
}

// decode checks a 2xx body: a reply that cannot be read is never taken for
// a clean file.
func (c *Client) decode(data []byte) (credit.Report, error) {
	var r response
	if err := json.Unmarshal(data, &r); err != nil {
		return credit.Report{}, fmt.Errorf("malformed response: %w", err)
	}
	switch {
	case r.Hit == nil:
		return credit.Report{}, errors.New("malformed response: no \"hit\"")
	case *r.Hit && (r.Score < 300 || r.Score > 900):
		return credit.Report{}, fmt.Errorf("malformed response: score %d outside 300–900", r.Score)
	case r.Trades < 0:
		return credit.Report{}, fmt.Errorf("malformed response: trades %d", r.Trades)
	}
	name := c.Name
	if name == "" {
		name = "http"
	}
	report := credit.Report{Bureau: name, Hit: *r.Hit, Fraud: r.FraudAlert, Trades: r.Trades, Reference: r.Reference}
	if report.Hit {
		report.Score = r.Score
	}
	return report, nil
}
