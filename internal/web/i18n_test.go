package web

import (
	"testing"
	"time"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		header, want string
	}{
		{"", "en"},
		{"fr", "fr"},
		{"fr-CA,fr;q=0.9,en;q=0.8", "fr"},
		{"en-CA,en;q=0.9,fr;q=0.8", "en"},
		{"de-DE,fr;q=0.5", "fr"},
		{"de-DE", "en"},
		{"en;q=0.2, fr-CA;q=0.7", "fr"},
		{"FR-ca", "fr"},
	}
	for _, tc := range tests {
		if got := negotiate(tc.header); got != tc.want {
			t.Errorf("negotiate(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/portal/keys", "/portal/keys"},
		{"/portal/keys?x=1", "/portal/keys?x=1"},
		{"https://evil.example/", "/portal/"},
		{"//evil.example/portal/", "/portal/"},
		{"/portal/\\evil", "/portal/"},
		{"", "/portal/"},
	}
	for _, tc := range tests {
		if got := LocalPath(tc.in); got != tc.want {
			t.Errorf("LocalPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTook: request durations read like "12 ms", never "1.301962ms".
func TestTook(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		en, fr string
	}{
		{1301962 * time.Nanosecond, "1.3\u00a0ms", "1,3\u00a0ms"},
		{12400 * time.Microsecond, "12\u00a0ms", "12\u00a0ms"},
		{1234 * time.Millisecond, "1.2\u00a0s", "1,2\u00a0s"},
		{40 * time.Microsecond, "0.0\u00a0ms", "0,0\u00a0ms"},
	} {
		if got := took("en")(tc.d); got != tc.en {
			t.Errorf("took(en)(%v) = %q, want %q", tc.d, got, tc.en)
		}
		if got := took("fr")(tc.d); got != tc.fr {
			t.Errorf("took(fr)(%v) = %q, want %q", tc.d, got, tc.fr)
		}
	}
}
