package web

import "testing"

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
