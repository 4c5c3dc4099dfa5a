package sdk_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex/sdk"
)

// webhookVectors is testdata/webhook_vectors.json.
type webhookVectors struct {
	Errors  []string `json:"errors"`
	Vectors []struct {
		Name             string   `json:"name"`
		Secrets          []string `json:"secrets"`
		Timestamp        int64    `json:"timestamp"`
		Now              int64    `json:"now"`
		ToleranceSeconds int64    `json:"tolerance_seconds"`
		Payload          string   `json:"payload"`
		Header           string   `json:"header"`
		Valid            bool     `json:"valid"`
		Error            string   `json:"error"`
		EventID          string   `json:"event_id"`
	} `json:"vectors"`
}

var vectorErrors = map[string]error{
	"malformed_header":       sdk.ErrMalformedHeader,
	"signature_mismatch":     sdk.ErrSignatureMismatch,
	"timestamp_out_of_range": sdk.ErrTimestampOutOfRange,
}

// TestWebhookVectors checks VerifyWebhook against the shared vectors
// (computed independently of this package), and SignWebhook against the
// valid single-signature ones.
func TestWebhookVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/webhook_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f webhookVectors
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) < 20 {
		t.Fatalf("only %d vectors", len(f.Vectors))
	}
	for _, v := range f.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			tol := time.Duration(v.ToleranceSeconds) * time.Second
			ev, err := sdk.VerifyWebhook([]byte(v.Payload), v.Header, v.Secrets, tol, time.Unix(v.Now, 0))
			if v.Valid {
				if err != nil || ev == nil || ev.ID != v.EventID {
					t.Fatalf("VerifyWebhook = %+v, %v; want event %s", ev, err, v.EventID)
				}
				if strings.Count(v.Header, "v1=") == 1 && len(v.Secrets) == 1 && !strings.Contains(v.Header, " ") &&
					strings.HasPrefix(v.Header, "t=") {
					if got := sdk.SignWebhook([]byte(v.Payload), v.Secrets[0], time.Unix(v.Timestamp, 0)); got != v.Header {
						t.Fatalf("SignWebhook = %q, want %q", got, v.Header)
					}
				}
				return
			}
			want, ok := vectorErrors[v.Error]
			if !ok {
				t.Fatalf("vector names unknown error %q", v.Error)
			}
			if !errors.Is(err, want) || ev != nil {
				t.Fatalf("VerifyWebhook = %+v, %v; want %v", ev, err, want)
			}
		})
	}
}

func TestWebhookSignAndVerify(t *testing.T) {
	payload := []byte(`{"id":"evt_1","object":"event","type":"return.created","environment":"training","created":"2026-11-23T19:40:00Z","data":{"object":{"id":"ret_1","object":"return","amount":19999}}}`)
	at := time.Date(2026, 11, 23, 19, 40, 0, 0, time.UTC)
	header := sdk.SignWebhook(payload, "s3cret", at)

	ev, err := sdk.VerifyWebhook(payload, header, []string{"other", "s3cret"}, 0, at.Add(299*time.Second))
	if err != nil || ev.ID != "evt_1" || ev.Type != sdk.EventReturnCreated || !ev.Created.Equal(at) {
		t.Fatalf("VerifyWebhook = %+v, %v", ev, err)
	}
	var ret sdk.Return
	if err := ev.DecodeObject(&ret); err != nil || ret.ID != "ret_1" || ret.Amount != 199_99 {
		t.Fatalf("DecodeObject = %+v, %v", ret, err)
	}
	// Tolerance 0 is the default, 300 s.
	if _, err := sdk.VerifyWebhook(payload, header, []string{"s3cret"}, 0, at.Add(301*time.Second)); !errors.Is(err, sdk.ErrTimestampOutOfRange) {
		t.Fatalf("301 s late with the default tolerance = %v, want ErrTimestampOutOfRange", err)
	}
	// A zero now is the current time.
	if _, err := sdk.VerifyWebhook(payload, sdk.SignWebhook(payload, "s3cret", time.Now()), []string{"s3cret"}, 0, time.Time{}); err != nil {
		t.Fatalf("fresh signature with a zero now = %v", err)
	}
	if _, err := sdk.VerifyWebhook([]byte("not json"), sdk.SignWebhook([]byte("not json"), "s", at), []string{"s"}, 0, at); err == nil ||
		errors.Is(err, sdk.ErrSignatureMismatch) {
		t.Fatalf("authentic but undecodable payload = %v, want a decode error", err)
	}
}
