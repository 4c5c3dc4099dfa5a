// Package webhook delivers events to merchants' endpoints: signed
// (OpenFlex-Signature: t=…,v1=…), at least once, retried with exponential
// backoff and jitter, every attempt logged, safe with several nodes.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Header is the signature header of API.md.
const Header = "OpenFlex-Signature"

// Sign returns the header value for body signed at t with each secret:
// "t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>", one v1 per secret
// (two while a rolled secret is in its grace period).
func Sign(body []byte, t time.Time, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(s))
		m.Write([]byte(ts))
		m.Write([]byte("."))
		m.Write(body)
		b.WriteString(",v1=" + hex.EncodeToString(m.Sum(nil)))
	}
	return b.String()
}

// NewSecret returns a signing secret: whsec_ and 256 random bits, hex.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("webhook: crypto/rand failed: " + err.Error())
	}
	return "whsec_" + hex.EncodeToString(b)
}
