package sdk

import (
	"context"
	"time"
)

// Test hooks: compiled into the package's tests only.

// SetSleep replaces c's wait between retries.
func SetSleep(c *Client, f func(ctx context.Context, d time.Duration) error) { c.sleep = f }

// ExpireToken makes c's cached token due for refresh, as if its lifetime
// had run out.
func ExpireToken(c *Client) {
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	c.tokens.refresh = time.Time{}
}

// SetToken caches token as c's fresh access token.
func SetToken(c *Client, token string) {
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	c.tokens.token, c.tokens.refresh = token, c.now().Add(time.Hour)
}

// Token returns c's cached access token.
func Token(c *Client) string {
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	return c.tokens.token
}

// TokenFetches returns how many tokens c has fetched.
func TokenFetches(c *Client) int {
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	return c.tokens.fetches
}

// Backoff is the wait before retry attempt+1.
var Backoff = backoff

// ParseRetryAfter reads a Retry-After header.
var ParseRetryAfter = parseRetryAfter
