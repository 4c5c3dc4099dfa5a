package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the server writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWebhooksAllowPrivateFlag: non-public webhook destinations are off by
// default, and turned on by --webhooks-allow-private, by its variable and by
// --demo, each time with a warning in the log at start.
func TestWebhooksAllowPrivateFlag(t *testing.T) {
	const warning = "WEBHOOKS MAY REACH LOOPBACK, PRIVATE AND OTHER NON-PUBLIC ADDRESSES"
	for _, c := range []struct {
		name string
		args []string
		env  string
		want bool
	}{
		{"default", nil, "", false},
		{"flag", []string{"--webhooks-allow-private"}, "", true},
		{"variable", nil, "true", true},
		{"demo", []string{"--demo"}, "", true},
		{"flag wins over variable", []string{"--webhooks-allow-private=false"}, "true", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("OPENFLEX_WEBHOOKS_ALLOW_PRIVATE", c.env)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, stderr syncBuffer
			done := make(chan error, 1)
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--no-jobs", "--log-format", "text"}, c.args...)
			go func() { done <- run(ctx, args, &stdout, &stderr) }()
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(stdout.String(), "listening on") {
				select {
				case err := <-done:
					cancel()
					t.Fatalf("serve %v ended: %v\n%s", args, err, stderr.String())
				default:
				}
				if time.Now().After(deadline) {
					cancel()
					t.Fatalf("serve %v did not start:\n%s", args, stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serve %v: %v", args, err)
			}
			if got := strings.Contains(stderr.String(), warning); got != c.want {
				t.Fatalf("serve %v: warning logged = %v, want %v:\n%s", args, got, c.want, stderr.String())
			}
		})
	}
}
