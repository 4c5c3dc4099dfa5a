package sdk

// Test hooks: compiled into the package's tests only.

// Backoff is the wait before retry attempt+1.
var Backoff = backoff

// ParseRetryAfter reads a Retry-After header.
var ParseRetryAfter = parseRetryAfter
