package sdk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// WebhookSignatureHeader is the header that signs a webhook delivery:
//
//	OpenFlex-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
//
// During a secret roll it carries one v1= per secret.
const WebhookSignatureHeader = "OpenFlex-Signature"

// DefaultWebhookTolerance is how far a delivery's timestamp may be from
// the receiver's clock, either way, when VerifyWebhook is given 0.
const DefaultWebhookTolerance = 300 * time.Second

// Errors of VerifyWebhook. Answer a delivery that fails with any of them
// with a 4xx and do not act on it.
var (
	// ErrMalformedHeader: the header is missing or is not
	// t=<unix>,v1=<hex>[,v1=<hex>…].
	ErrMalformedHeader = errors.New("openflex: malformed OpenFlex-Signature header")
	// ErrSignatureMismatch: no v1 signature matches the payload under any
	// of the secrets.
	ErrSignatureMismatch = errors.New("openflex: webhook signature does not match")
	// ErrTimestampOutOfRange: the signature matches but its timestamp is
	// further than the tolerance from now (a replay, or a skewed clock).
	ErrTimestampOutOfRange = errors.New("openflex: webhook timestamp outside the tolerance")
)

// VerifyWebhook checks a webhook delivery and returns its event. payload
// is the request body exactly as received (do not re-encode it), header
// the OpenFlex-Signature value, secrets the endpoint's signing secrets
// (during a roll, the old and the new: any may match). tolerance 0 is
// DefaultWebhookTolerance; now zero is time.Now().
//
// The checks, in order: the header's shape (ErrMalformedHeader), then
// every v1 signature against every secret in constant time
// (ErrSignatureMismatch), then the timestamp (ErrTimestampOutOfRange).
// Deliveries are at least once: deduplicate on Event.ID.
func VerifyWebhook(payload []byte, header string, secrets []string, tolerance time.Duration, now time.Time) (*Event, error) {
	ts, sigs, err := parseSignatureHeader(header)
	if err != nil {
		return nil, err
	}
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	if now.IsZero() {
		now = time.Now()
	}
	matched := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		want := webhookMAC(payload, secret, ts)
		for _, sig := range sigs {
			// Every comparison runs, so timing tells nothing of which
			// secret or signature came close.
			if hmac.Equal(sig, want) {
				matched = true
			}
		}
	}
	if !matched {
		return nil, ErrSignatureMismatch
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return nil, ErrTimestampOutOfRange
	}
	var e Event
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, fmt.Errorf("openflex: decode webhook event: %w", err)
	}
	return &e, nil
}

// SignWebhook returns the OpenFlex-Signature header value for payload
// signed with secret at t, exactly as OpenFlex sends it, for receivers'
// own tests.
func SignWebhook(payload []byte, secret string, t time.Time) string {
	ts := t.Unix()
	return "t=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(webhookMAC(payload, secret, ts))
}

// webhookMAC is HMAC-SHA256(secret, "<t>." + payload).
func webhookMAC(payload []byte, secret string, ts int64) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(payload)
	return m.Sum(nil)
}

// parseSignatureHeader reads t=<unix>,v1=<hex>[,v1=<hex>…]. Elements are
// separated by commas, spaces around them ignored; other schemes (v0=…)
// are ignored. Exactly one t (a decimal integer) and at least one v1 must
// be present. A v1 that is not 64 hex digits can never match, and is kept
// out of the comparison.
func parseSignatureHeader(header string) (int64, [][]byte, error) {
	if strings.TrimSpace(header) == "" {
		return 0, nil, ErrMalformedHeader
	}
	var ts int64
	haveTS, haveV1 := false, false
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return 0, nil, ErrMalformedHeader
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if haveTS || err != nil || v == "" || v[0] == '+' || v[0] == '-' {
				return 0, nil, ErrMalformedHeader
			}
			ts, haveTS = n, true
		case "v1":
			haveV1 = true
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	if !haveTS || !haveV1 {
		return 0, nil, ErrMalformedHeader
	}
	return ts, sigs, nil
}
