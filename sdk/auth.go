package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// refreshEarly is how long before its expiry a token is replaced, so a
// request never leaves with a token about to lapse.
const refreshEarly = 60 * time.Second

// tokenSource caches the client's access token. One fetch runs at a time:
// callers that find no valid token queue on sem, and all but the first
// find the fresh token when their turn comes.
type tokenSource struct {
	sem chan struct{} // a one-slot semaphore held while fetching

	mu      sync.Mutex
	token   string
	refresh time.Time // when to fetch the next token
}

// cached returns the token while it is fresh.
func (ts *tokenSource) cached(now time.Time) (string, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.token, ts.token != "" && now.Before(ts.refresh)
}

// get returns a fresh access token, fetching one when needed.
func (ts *tokenSource) get(ctx context.Context, c *Client) (string, error) {
	if tok, ok := ts.cached(c.now()); ok {
		return tok, nil
	}
	select {
	case ts.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("openflex: wait for access token: %w", ctx.Err())
	}
	defer func() { <-ts.sem }()
	if tok, ok := ts.cached(c.now()); ok {
		return tok, nil // another caller fetched it while this one waited
	}
	start := c.now() // the lifetime runs from before the request
	tok, lifetime, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	early := refreshEarly
	if lifetime < 2*early {
		early = lifetime / 2
	}
	ts.mu.Lock()
	ts.token, ts.refresh = tok, start.Add(lifetime-early)
	ts.mu.Unlock()
	return tok, nil
}

// invalidate drops token if it is still the cached one (the server
// refused it), so the next get fetches another. A token already replaced
// by a concurrent caller is left alone.
func (ts *tokenSource) invalidate(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token == token {
		ts.token, ts.refresh = "", time.Time{}
	}
}

// tokenReply is the RFC 6749 §5.1 reply of POST /oauth/token.
type tokenReply struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Environment string `json:"environment"`
}

// fetchToken is the client credentials grant: form-encoded, the client
// authenticated with HTTP Basic (RFC 6749 §2.3.1: both parts form-encoded
// first).
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL.JoinPath("/oauth/token").String(),
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("openflex: %w", err)
	}
	req.SetBasicAuth(url.QueryEscape(c.clientID), url.QueryEscape(c.clientSecret))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	c.commonHeaders(req)
	status, header, body, err := c.send(req)
	if err != nil {
		return "", 0, err
	}
	if status != http.StatusOK {
		return "", 0, parseError(status, header, body)
	}
	var r tokenReply
	if err := json.Unmarshal(body, &r); err != nil {
		return "", 0, fmt.Errorf("openflex: decode token response: %w", err)
	}
	if r.AccessToken == "" || !strings.EqualFold(r.TokenType, "bearer") {
		return "", 0, fmt.Errorf("openflex: token response without a bearer access token (token_type %q)", r.TokenType)
	}
	if r.Environment != "" && Environment(r.Environment) != c.env {
		return "", 0, fmt.Errorf("openflex: the server issued a %s token for %s keys", r.Environment, c.env)
	}
	lifetime := time.Duration(r.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = 2 * refreshEarly // no lifetime given: assume a short one
	}
	return r.AccessToken, lifetime, nil
}
