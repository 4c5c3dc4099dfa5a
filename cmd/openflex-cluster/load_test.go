package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		r    reply
		want bool
	}{
		{"created", reply{status: 201}, false},
		{"declined", reply{status: 402, body: []byte(`{"error":{"code":"insufficient_credit"}}`)}, false},
		{"validation", reply{status: 400, body: []byte(`{"error":{"code":"parameter_invalid"}}`)}, false},
		{"key reused", reply{status: 422, body: []byte(`{"error":{"code":"idempotency_key_reused"}}`)}, false},
		{"key in use", reply{status: 409, body: []byte(`{"error":{"code":"idempotency_key_in_use"}}`)}, true},
		{"authorization not open", reply{status: 409, body: []byte(`{"error":{"code":"authorization_not_open"}}`)}, false},
		{"rate limited", reply{status: 429}, true},
		{"unavailable", reply{status: 503, body: []byte(`{"error":{"code":"unavailable"}}`)}, true},
		{"bad gateway", reply{status: 502}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.r); got != tt.want {
				t.Fatalf("retryable(%d %s) = %v, want %v", tt.r.status, tt.r.body, got, tt.want)
			}
		})
	}
}

// The outage is the longest stretch without an acknowledged write once a
// failure was seen; failed attempts are counted by status and requests
// given up on are reported.
func TestWindow(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	l := newLoad("", merchantCreds{}, nil)
	for _, ms := range []int{100, 200, 300, 3300, 3400, 9000} {
		l.successes = append(l.successes, at(ms))
	}
	l.failures = []failure{{At: at(350), Status: "503 unavailable"}, {At: at(1000), Status: "503 unavailable"}, {At: at(2000), Status: "network"}}
	l.lost = []finalFailure{{At: at(2500), Key: "k1", Reason: "network"}}
	l.retried = []retriedRequest{{Start: at(340), End: at(3300)}}

	ws := l.window(t0, at(5000))
	if ws.Acknowledged != 5 {
		t.Errorf("acknowledged = %d, want 5 (the one at 9 s is outside)", ws.Acknowledged)
	}
	if ws.SecondsWithout != 3 {
		t.Errorf("seconds without service = %v, want 3 (0.3 s to 3.3 s)", ws.SecondsWithout)
	}
	if ws.FailedAttempts["503 unavailable"] != 2 || ws.FailedAttempts["network"] != 1 || ws.FailedRequests != 1 {
		t.Errorf("failures = %v, %d requests failed", ws.FailedAttempts, ws.FailedRequests)
	}
	if ws.LongestRequest != 2.96 {
		t.Errorf("longest retried request = %v, want 2.96", ws.LongestRequest)
	}
	if len(ws.Timeline) != 6 || ws.Timeline[0].Acknowledged != 3 || ws.Timeline[0].Failed != 1 || ws.Timeline[3].Acknowledged != 2 {
		t.Errorf("timeline = %+v", ws.Timeline)
	}

	quiet := l.window(at(4000), at(8000))
	if quiet.SecondsWithout != 0 || len(quiet.FailedAttempts) != 0 {
		t.Errorf("a window without failures is no outage: %+v", quiet)
	}
}

// The HAProxy configuration the cluster writes is one HAProxy accepts.
func TestHAProxyConfigIsValid(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		if haproxy, err = exec.LookPath("/usr/sbin/haproxy"); err != nil {
			t.Skip("haproxy is not installed (scripts/cluster installs it)")
		}
	}
	c := &cluster{Dir: t.TempDir(), HAPGPort: 15432, HAHTTPPort: 18080,
		PG:    []pgNode{{Name: "pg1", Port: 15433, APIPort: 18008}, {Name: "pg2", Port: 15434, APIPort: 18009}},
		Nodes: []proc{{Name: "n1", Port: 18081}, {Name: "n2", Port: 18082}}}
	if err := os.WriteFile(c.path("haproxy-503.http"), []byte("HTTP/1.0 503 Service Unavailable\r\n\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.path("haproxy.cfg"), []byte(c.haproxyConfig()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-f", c.path("haproxy.cfg")).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
}
