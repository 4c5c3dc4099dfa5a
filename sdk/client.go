package sdk

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Version is the SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is the address `openflex serve` listens on by default. Pass
// WithBaseURL with your lender's API host for anything else.
const DefaultBaseURL = "http://127.0.0.1:8080"

// Defaults of the options.
const (
	// DefaultTimeout bounds each HTTP attempt (see WithTimeout).
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRetries is how many times a failed call is retried.
	DefaultMaxRetries = 2
)

// Backoff between retries: exponential from retryBase, at most retryCap,
// with jitter (each wait is drawn from [d/2, d]).
const (
	retryBase = 500 * time.Millisecond
	retryCap  = 8 * time.Second
)

// maxResponse is the largest response body the client reads.
const maxResponse = 32 << 20

// Environment is the environment a key set belongs to. It decides which
// data every request sees: objects made with TRAINING keys do not exist
// for PRODUCTION keys, and the reverse.
type Environment string

// Environments of API.md.
const (
	Training   Environment = "training"
	Production Environment = "production"
	// Shared is the environment of a Store: one set for both.
	Shared Environment = "shared"
)

// Client is an OpenFlex API client for one key set. It fetches and
// refreshes its access token itself and is safe for concurrent use by
// many goroutines; create one per key set and share it.
type Client struct {
	// Stores lists the merchant's stores and their daily summaries.
	Stores *StoreService
	// Plans lists the financing plans the lender set up for the merchant.
	Plans *PlanService
	// KeySet reads the calling key set and replaces its Trust URLs and IPs.
	KeySet *KeySetService
	// Applications submits and reads credit applications.
	Applications *ApplicationService
	// Accounts looks up customers' accounts, verifies them and quotes plans.
	Accounts *AccountService
	// Authorizations holds credit for purchases, captures and releases it.
	Authorizations *AuthorizationService
	// Captures reads captures and returns them.
	Captures *CaptureService
	// Returns reads returns.
	Returns *ReturnService
	// Checkouts opens hosted checkouts for online purchases.
	Checkouts *CheckoutService
	// Promotions reads "as low as" pricing for promo messaging.
	Promotions *PromotionService
	// Transactions lists every money movement of the merchant.
	Transactions *TransactionService
	// Settlements lists what the lender pays the merchant, day by day.
	Settlements *SettlementService
	// Events lists the events also delivered to webhook endpoints.
	Events *EventService
	// WebhookEndpoints registers the URLs events are delivered to.
	WebhookEndpoints *WebhookEndpointService
	// TestHelpers drives TRAINING objects as the lender or a customer would.
	TestHelpers *TestHelperService

	clientID, clientSecret string
	env                    Environment
	baseURL                *url.URL
	httpClient             *http.Client
	timeout                time.Duration
	maxRetries             int
	userAgent              string
	language               string
	tokens                 tokenSource

	// sleep waits between retries (WithRetryWait).
	sleep func(ctx context.Context, d time.Duration) error
	// now is the clock of token expiry (WithClock).
	now func() time.Time
}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the API's base URL, such as "https://api.lender.example"
// (without /v1). PRODUCTION keys are only ever sent over HTTPS, except to
// a loopback address.
func WithBaseURL(rawURL string) Option {
	return func(c *Client) error {
		u, err := url.Parse(strings.TrimRight(rawURL, "/"))
		if err != nil {
			return fmt.Errorf("base URL: %w", err)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("base URL %q: want http(s)://host", rawURL)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("base URL %q: must not have a query or fragment", rawURL)
		}
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient sets the HTTP client requests go through (for a proxy, TLS
// settings or instrumentation). The Client never changes it.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("nil HTTP client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each HTTP attempt, the token request included
// (default DefaultTimeout; 0 means no bound). Retries make a call last
// longer: bound a whole call with its context.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return errors.New("negative timeout")
		}
		c.timeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a call is retried after a network
// error, a 409 idempotency_key_in_use, a 429 or a 5xx (default
// DefaultMaxRetries; 0 disables retries).
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		if n < 0 {
			return errors.New("negative max retries")
		}
		c.maxRetries = n
		return nil
	}
}

// WithUserAgent puts the integration's own name before the SDK's in the
// User-Agent header, such as "MapleDesk-POS/4.2".
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.userAgent = strings.TrimSpace(ua + " " + c.userAgent)
		return nil
	}
}

// WithLanguage sets Accept-Language: "fr-CA" (or "fr") gives French error
// messages, decline reasons and disclosures; the default is English.
func WithLanguage(lang string) Option {
	return func(c *Client) error {
		c.language = lang
		return nil
	}
}

// WithRetryWait replaces how the client waits before a retry: wait gets
// the delay the client chose (backoff with jitter, or the server's
// Retry-After) and returns an error to give up, such as ctx.Err(). Tests of
// an integration pass one that records the delay and returns at once, so
// they exercise retries without waiting.
func WithRetryWait(wait func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if wait == nil {
			return errors.New("nil retry wait")
		}
		c.sleep = wait
		return nil
	}
}

// WithClock sets the clock the client times its access token's refresh by
// (default time.Now). Tests move it forward to make the token due.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("nil clock")
		}
		c.now = now
		return nil
	}
}

// New returns a client for the key set clientID (ofk_train_… or ofk_prod_…)
// with its secret (ofs_train_… or ofs_prod_…). The environment comes from
// the key; a secret of the other environment, or one whose checksum shows a
// typo or a truncated paste, is refused here, before any request.
func New(clientID, clientSecret string, opts ...Option) (*Client, error) {
	env, err := keyEnvironment(clientID, clientSecret)
	if err != nil {
		return nil, fmt.Errorf("openflex: %w", err)
	}
	c := &Client{
		clientID: clientID, clientSecret: clientSecret, env: env,
		httpClient: &http.Client{}, timeout: DefaultTimeout, maxRetries: DefaultMaxRetries,
		userAgent: "openflex-go/" + Version + " (" + runtime.Version() + ")",
		sleep:     sleepContext, now: time.Now,
	}
	if err := WithBaseURL(DefaultBaseURL)(c); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, fmt.Errorf("openflex: %w", err)
		}
	}
	if env == Production && c.baseURL.Scheme != "https" && !loopback(c.baseURL.Hostname()) {
		return nil, fmt.Errorf("openflex: PRODUCTION keys need an https base URL, not %s", c.baseURL)
	}
	c.tokens.sem = make(chan struct{}, 1)
	c.Stores = &StoreService{c}
	c.Plans = &PlanService{c}
	c.KeySet = &KeySetService{c}
	c.Applications = &ApplicationService{c}
	c.Accounts = &AccountService{c}
	c.Authorizations = &AuthorizationService{c}
	c.Captures = &CaptureService{c}
	c.Returns = &ReturnService{c}
	c.Checkouts = &CheckoutService{c}
	c.Promotions = &PromotionService{c}
	c.Transactions = &TransactionService{c}
	c.Settlements = &SettlementService{c}
	c.Events = &EventService{c}
	c.WebhookEndpoints = &WebhookEndpointService{c}
	c.TestHelpers = &TestHelperService{c}
	return c, nil
}

// Environment returns the environment of the client's key set.
func (c *Client) Environment() Environment { return c.env }

// keyEnvironment checks the shapes of API.md: ofk_<env>_… and
// ofs_<env>_… of the same environment, the secret ending in the base62
// CRC32 of the rest.
func keyEnvironment(clientID, secret string) (Environment, error) {
	var env Environment
	switch {
	case strings.HasPrefix(clientID, "ofk_train_"):
		env = Training
	case strings.HasPrefix(clientID, "ofk_prod_"):
		env = Production
	default:
		return "", errors.New("client ID must start with ofk_train_ or ofk_prod_")
	}
	want := "ofs_train_"
	if env == Production {
		want = "ofs_prod_"
	}
	if !strings.HasPrefix(secret, want) {
		return "", fmt.Errorf("client secret of a %s client ID must start with %s", env, want)
	}
	const checksumLen = 6
	if len(secret) <= len(want)+checksumLen {
		return "", errors.New("client secret is too short: was it pasted whole?")
	}
	body, sum := secret[:len(secret)-checksumLen], secret[len(secret)-checksumLen:]
	if encode62(uint64(crc32.ChecksumIEEE([]byte(body))), checksumLen) != sum {
		return "", errors.New("client secret checksum does not match: was it pasted whole?")
	}
	return env, nil
}

func encode62(v uint64, width int) string {
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	out := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		out[i] = base62[v%62]
		v /= 62
	}
	return string(out)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newIdempotencyKey returns 128 random bits from crypto/rand, in hex.
func newIdempotencyKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("openflex: idempotency key: %w", err)
	}
	return "sdk_" + hex.EncodeToString(b[:]), nil
}

// postParams are the parameters of a POST: their IdempotencyKey field,
// when set, replaces the one the client makes up. A nil pointer is an
// empty body.
type postParams interface {
	idempotencyKey() string
}

// post is call for a POST.
func (c *Client) post(ctx context.Context, path string, p postParams, out any) error {
	var in any = p
	if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && v.IsNil() {
		in = nil
	}
	return c.call(ctx, http.MethodPost, path, nil, in, p.idempotencyKey(), out)
}

// get is call for a GET.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.call(ctx, http.MethodGet, path, q, nil, "", out)
}

// call is one logical API call: it marshals in once, gives a POST one
// Idempotency-Key for all its attempts, retries what is safe to retry,
// refreshes a rejected token once, and decodes the reply into out.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in any, idempotencyKey string, out any) error {
	// An empty id would turn "GET /v1/stores/{id}" into the list of
	// stores, decoded as a zero Store: refuse it before sending.
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("openflex: %s %s: an id is empty or invalid", method, path)
		}
	}
	var body []byte
	if method == http.MethodPost {
		if in == nil {
			in = struct{}{}
		}
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("openflex: encode %s %s: %w", method, path, err)
		}
		if idempotencyKey == "" {
			if idempotencyKey, err = newIdempotencyKey(); err != nil {
				return err
			}
		}
	}
	u := c.baseURL.JoinPath(path)
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	refreshed := false
	for attempt := 0; ; {
		err := c.attempt(ctx, method, u.String(), body, idempotencyKey, out)
		if err == nil {
			return nil
		}
		var apiErr *Error
		if errors.As(err, &apiErr) && !refreshed && apiErr.Status == http.StatusUnauthorized &&
			(apiErr.Code == CodeInvalidToken || apiErr.Code == CodeTokenExpired) {
			// The token was revoked or expired early: fetch another, once.
			refreshed = true
			c.tokens.invalidate(apiErr.token)
			continue
		}
		if attempt >= c.maxRetries || !retryable(ctx, err) {
			return err
		}
		wait := backoff(attempt)
		if apiErr != nil && apiErr.RetryAfter > wait {
			wait = apiErr.RetryAfter
		}
		attempt++
		if serr := c.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (retry abandoned: %w)", err, serr)
		}
	}
}

// attempt is one HTTP exchange of a call.
func (c *Client) attempt(ctx context.Context, method, rawURL string, body []byte, idempotencyKey string, out any) error {
	// Public endpoints take the Client ID in the query, never a token.
	var token string
	if !strings.HasPrefix(rawURL, c.baseURL.JoinPath("/v1/public/").String()) {
		var err error
		if token, err = c.tokens.get(ctx, c); err != nil {
			return err
		}
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return fmt.Errorf("openflex: %w", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	c.commonHeaders(req)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	status, header, respBody, err := c.send(req)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		e := parseError(status, header, respBody)
		e.token = token
		return e
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok { // a download (CSV), not JSON
		*raw = respBody
		return nil
	}
	if err := json.Unmarshal(respBody, out); err != nil {
		return fmt.Errorf("openflex: decode %s %s response: %w", method, req.URL.Path, err)
	}
	return nil
}

func (c *Client) commonHeaders(req *http.Request) {
	req.Header.Set("User-Agent", c.userAgent)
	if c.language != "" {
		req.Header.Set("Accept-Language", c.language)
	}
}

// send does the exchange and reads the whole reply; a failure to reach the
// server or to read its reply is a *TransportError.
func (c *Client) send(req *http.Request) (int, http.Header, []byte, error) {
	op := req.Method + " " + req.URL.Path
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return 0, nil, nil, &TransportError{Op: op, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return 0, nil, nil, &TransportError{Op: op + ": read response", Err: err}
	}
	return resp.StatusCode, resp.Header, b, nil
}

// retryable reports whether err is worth another attempt: a transport
// error (unless the caller's context ended), or an API error that says
// "try again": 409 idempotency_key_in_use, 429 and 5xx. Never another 4xx.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		if apiErr.Status == http.StatusTooManyRequests && apiErr.RetryAfter > MaxRetryAfter {
			// A limit, not a burst (say, an account's verification codes
			// for the next 10 minutes): the caller decides, not a sleep.
			return false
		}
		return apiErr.Status == http.StatusTooManyRequests || apiErr.Status >= 500 ||
			apiErr.Status == http.StatusConflict && apiErr.Code == CodeIdempotencyKeyInUse
	}
	var te *TransportError
	return errors.As(err, &te)
}

// MaxRetryAfter is the longest Retry-After a 429 may ask for and still be
// retried by the client; a longer one is returned at once as the *Error,
// its RetryAfter set.
const MaxRetryAfter = time.Minute

// backoff is the wait before retry attempt+1: exponential with jitter.
func backoff(attempt int) time.Duration {
	d := retryBase << min(attempt, 10)
	if d > retryCap || d <= 0 {
		d = retryCap
	}
	return d/2 + mrand.N(d/2+1)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// pathEscape escapes one path segment (an id or an account number).
func pathEscape(s string) string { return url.PathEscape(s) }
