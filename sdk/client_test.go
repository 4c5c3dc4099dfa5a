package sdk_test

import (
	"crypto/rand"
	"hash/crc32"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/sdk"
)

func TestNew(t *testing.T) {
	trainID, prodID := "ofk_train_abcdefghijklmnopqrstuvwx", "ofk_prod_abcdefghijklmnopqrstuvwx"
	trainSecret, prodSecret := secretFor("train"), secretFor("prod")
	tests := []struct {
		name    string
		id      string
		secret  string
		opts    []sdk.Option
		wantEnv sdk.Environment
		wantErr string
	}{
		{name: "training", id: trainID, secret: trainSecret, wantEnv: sdk.Training},
		{name: "production over https", id: prodID, secret: prodSecret, opts: []sdk.Option{sdk.WithBaseURL("https://api.lender.example/")}, wantEnv: sdk.Production},
		{name: "production on loopback", id: prodID, secret: prodSecret, opts: []sdk.Option{sdk.WithBaseURL("http://127.0.0.1:9999")}, wantEnv: sdk.Production},
		{name: "production over http", id: prodID, secret: prodSecret, opts: []sdk.Option{sdk.WithBaseURL("http://api.lender.example")}, wantErr: "https"},
		{name: "unknown client id", id: "pk_live_123", secret: trainSecret, wantErr: "ofk_train_"},
		{name: "secret of the other environment", id: trainID, secret: prodSecret, wantErr: "ofs_train_"},
		{name: "truncated secret", id: trainID, secret: trainSecret[:len(trainSecret)-1], wantErr: "checksum"},
		{name: "mistyped secret", id: trainID, secret: trainSecret[:20] + "0" + trainSecret[21:], wantErr: "checksum"},
		{name: "bad base URL", id: trainID, secret: trainSecret, opts: []sdk.Option{sdk.WithBaseURL("ftp://x")}, wantErr: "base URL"},
		{name: "base URL with a query", id: trainID, secret: trainSecret, opts: []sdk.Option{sdk.WithBaseURL("https://x/?a=b")}, wantErr: "query"},
		{name: "negative retries", id: trainID, secret: trainSecret, opts: []sdk.Option{sdk.WithMaxRetries(-1)}, wantErr: "retries"},
		{name: "negative timeout", id: trainID, secret: trainSecret, opts: []sdk.Option{sdk.WithTimeout(-time.Second)}, wantErr: "timeout"},
		{name: "nil HTTP client", id: trainID, secret: trainSecret, opts: []sdk.Option{sdk.WithHTTPClient(nil)}, wantErr: "HTTP client"},
		{name: "every option", id: trainID, secret: trainSecret, wantEnv: sdk.Training, opts: []sdk.Option{
			sdk.WithBaseURL("https://api.lender.example"), sdk.WithHTTPClient(&http.Client{}), sdk.WithTimeout(time.Second),
			sdk.WithMaxRetries(5), sdk.WithUserAgent("MapleDesk-POS/4.2"), sdk.WithLanguage("fr-CA")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.secret == trainSecret[:20]+"0"+trainSecret[21:] && trainSecret[20] == '0' {
				t.Skip("the random secret already has a 0 there")
			}
			c, err := sdk.New(tt.id, tt.secret, tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New = %v, want an error mentioning %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), tt.secret) {
					t.Fatalf("error %q leaks the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.Environment() != tt.wantEnv {
				t.Fatalf("Environment() = %q, want %q", c.Environment(), tt.wantEnv)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	prevMax := time.Duration(0)
	for attempt := range 12 {
		hi := min(500*time.Millisecond<<attempt, 8*time.Second)
		lo := hi / 2
		var maxSeen time.Duration
		for range 200 {
			d := sdk.Backoff(attempt)
			if d < lo || d > hi {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", attempt, d, lo, hi)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < prevMax/2 {
			t.Fatalf("Backoff(%d) shrank: max %v after %v", attempt, maxSeen, prevMax)
		}
		prevMax = maxSeen
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 19, 40, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"1", time.Second},
		{" 30 ", 30 * time.Second},
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := sdk.ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidAccountNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"79927398713000", false},
		{"00000000000000", true},
		{"1234567890123", false},
		{"4242424242424x", false},
		{"", false},
	}
	// A valid number, then each single-digit typo of it.
	valid := "4000056655665" + luhnDigit("4000056655665")
	tests = append(tests, struct {
		in   string
		want bool
	}{valid, true})
	for i := range valid {
		typo := []byte(valid)
		typo[i] = '0' + (typo[i]-'0'+1)%10
		tests = append(tests, struct {
			in   string
			want bool
		}{string(typo), false})
	}
	for _, tt := range tests {
		if got := sdk.ValidAccountNumber(tt.in); got != tt.want {
			t.Errorf("ValidAccountNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// luhnDigit returns the check digit that makes s+digit pass Luhn.
func luhnDigit(s string) string {
	sum := 0
	for i := range len(s) {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(rune('0' + (10-sum%10)%10))
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
