package sdktest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex/internal/app/apptest"
	"github.com/openflex/openflex/sdk"
)

// sleeps records the retry waits of a client instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient returns a client of keys k on baseURL whose retries do not
// wait, and the record of the waits it would have made. Its token
// requests go through a tokenWatch (see tokenFetches).
func newClient(t testing.TB, baseURL string, k apptest.Keys, opts ...sdk.Option) (*sdk.Client, *sleeps) {
	t.Helper()
	w := &tokenWatch{}
	s := &sleeps{}
	c, err := sdk.New(k.ClientID, k.ClientSecret, append([]sdk.Option{sdk.WithBaseURL(baseURL),
		sdk.WithHTTPClient(&http.Client{Transport: w}), sdk.WithClock(w.now), sdk.WithRetryWait(s.sleep)}, opts...)...)
	if err != nil {
		t.Fatalf("sdk.New: %v", err)
	}
	watches.Store(c, w)
	t.Cleanup(func() { watches.Delete(c) })
	return c, s
}

// tokenWatch is the transport of newClient's clients: it sees the tokens
// the client fetches, can make the server see a refused token instead of
// the client's, and is the client's clock.
type tokenWatch struct {
	mu      sync.Mutex
	fetches int           // successful POST /oauth/token
	token   string        // the last one's access token
	refuse  string        // sent once instead of the client's bearer token
	ahead   time.Duration // how far the client's clock is ahead of time.Now
}

// watches maps each client of newClient to its tokenWatch.
var watches sync.Map

func watch(t testing.TB, c *sdk.Client) *tokenWatch {
	t.Helper()
	w, ok := watches.Load(c)
	if !ok {
		t.Fatal("client not made by newClient")
	}
	return w.(*tokenWatch)
}

func (w *tokenWatch) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Now().Add(w.ahead)
}

func (w *tokenWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	if w.refuse != "" && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+w.refuse)
		w.refuse = ""
	}
	w.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || r.URL.Path != "/oauth/token" || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &tok) == nil && tok.AccessToken != "" {
		w.mu.Lock()
		w.fetches++
		w.token = tok.AccessToken
		w.mu.Unlock()
	}
	return resp, nil
}

// tokenFetches returns how many tokens c has fetched.
func tokenFetches(t testing.TB, c *sdk.Client) int {
	w := watch(t, c)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fetches
}

// token returns the access token c fetched last.
func token(t testing.TB, c *sdk.Client) string {
	w := watch(t, c)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.token
}

// expireToken moves c's clock a day ahead, past its token's lifetime.
func expireToken(t testing.TB, c *sdk.Client) {
	w := watch(t, c)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ahead += 24 * time.Hour
}

// refuseToken makes c's next authenticated request carry tok, as if the
// client's cached token were tok.
func refuseToken(t testing.TB, c *sdk.Client, tok string) {
	w := watch(t, c)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.refuse = tok
}

// uniqueName returns a name of letters never used before, so that each
// applicant is a new person (the same person within 30 days gets the
// earlier decision).
func uniqueName(base string) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := []byte(base + "-X")
	for range 10 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(letters))))
		b = append(b, letters[n.Int64()])
	}
	return string(b)
}

// applicant returns a new Ontario applicant earning $60,000 a year; middle
// picks the TRAINING bureau's answer.
func applicant(middle string) sdk.Applicant {
	return sdk.Applicant{
		FirstName: "Émilie", MiddleName: middle, LastName: uniqueName("Tremblay"), DateOfBirth: "1990-04-12",
		Email: "emilie@example.com", Phone: "416-555-0199",
		Address:      sdk.Address{Line1: "1 King St W", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"},
		AnnualIncome: 60_000_00, EmploymentStatus: "employed", HousingStatus: "rent", MonthlyHousingCost: 1_500_00,
	}
}

// approvedAccount applies with the low-risk magic name and returns the
// new account ($12,000.00 limit: 20 % of $60,000).
func approvedAccount(t testing.TB, c *sdk.Client, storeID string) *sdk.Account {
	t.Helper()
	app, err := c.Applications.Create(context.Background(), &sdk.ApplicationParams{StoreID: storeID, Applicant: applicant("A-RR_L"),
		Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true}})
	if err != nil {
		t.Fatalf("Applications.Create: %v", err)
	}
	if app.Status != sdk.ApplicationApproved || app.Account == nil {
		t.Fatalf("Applications.Create = status %s, account %v; want approved with an account", app.Status, app.Account)
	}
	return app.Account
}

// secretFor returns a well-formed secret of env (right prefix, length and
// checksum) that no server issued.
func secretFor(env string) string {
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	body := []byte("ofs_" + env + "_")
	for range 43 {
		n, _ := rand.Int(rand.Reader, big.NewInt(62))
		body = append(body, base62[n.Int64()])
	}
	sum := uint64(crc32.ChecksumIEEE(body))
	tail := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		tail[i] = base62[sum%62]
		sum /= 62
	}
	return string(body) + string(tail)
}

// apiError returns err as an *sdk.Error, failing the test otherwise.
func apiError(t testing.TB, err error) *sdk.Error {
	t.Helper()
	var e *sdk.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want an *sdk.Error", err, err)
	}
	return e
}
