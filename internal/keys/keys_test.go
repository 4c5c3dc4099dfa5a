package keys

import (
	"strings"
	"testing"

	"github.com/openflex/openflex"
)

func TestSecretFormat(t *testing.T) {
	for _, env := range openflex.Environments {
		s := NewSecret(env)
		if !strings.HasPrefix(s, "ofs_"+env.Short()+"_") || len(s) != len("ofs_"+env.Short()+"_")+43+6 {
			t.Fatalf("NewSecret(%s) = %q", env, s)
		}
		if got, ok := SecretEnvironment(s); !ok || got != env {
			t.Fatalf("SecretEnvironment(%q) = %v, %v", s, got, ok)
		}
		// Any single-character typo breaks the checksum.
		for i := len("ofs_" + env.Short() + "_"); i < len(s); i++ {
			b := []byte(s)
			if b[i] == 'a' {
				b[i] = 'b'
			} else {
				b[i] = 'a'
			}
			if _, ok := SecretEnvironment(string(b)); ok {
				t.Fatalf("typo at %d passed the checksum: %q", i, b)
			}
		}
		id := NewClientID(env)
		if got, ok := ClientIDEnvironment(id); !ok || got != env {
			t.Fatalf("ClientIDEnvironment(%q) = %v, %v", id, got, ok)
		}
	}
	if a, b := NewSecret(openflex.Training), NewSecret(openflex.Training); a == b {
		t.Fatal("two secrets alike")
	}
	for _, bad := range []string{"", "ofs_", "ofs_test_abc", "ofk_train_x", "ofs_training_" + strings.Repeat("a", 49)} {
		if _, ok := SecretEnvironment(bad); ok {
			t.Errorf("SecretEnvironment(%q) accepted", bad)
		}
	}
}

func TestTrustIPs(t *testing.T) {
	tests := []struct {
		env  openflex.Environment
		in   []string
		want []string
		ok   bool
	}{
		{openflex.Training, nil, []string{}, true},
		{openflex.Production, nil, nil, false},
		{openflex.Production, []string{"203.0.113.0/24"}, []string{"203.0.113.0/24"}, true},
		{openflex.Training, []string{"203.0.113.7/24"}, []string{"203.0.113.0/24"}, true},
		{openflex.Training, []string{"203.0.113.7"}, []string{"203.0.113.7/32"}, true},
		{openflex.Training, []string{"::ffff:203.0.113.7"}, []string{"203.0.113.7/32"}, true},
		{openflex.Training, []string{"::ffff:203.0.113.0/120"}, []string{"203.0.113.0/24"}, true},
		{openflex.Training, []string{"2001:db8::/32", "2001:db8::/32"}, []string{"2001:db8::/32"}, true},
		{openflex.Training, []string{"not-an-ip"}, nil, false},
		{openflex.Training, []string{"10.0.0.0/33"}, nil, false},
		{openflex.Training, []string{"fe80::1%eth0"}, nil, false},
	}
	for _, tc := range tests {
		got, err := NormalizeTrustIPs(tc.env, tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("NormalizeTrustIPs(%s, %v) error = %v, want ok=%v", tc.env, tc.in, err, tc.ok)
			continue
		}
		if tc.ok && strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("NormalizeTrustIPs(%s, %v) = %v, want %v", tc.env, tc.in, got, tc.want)
		}
	}
}

func TestTrustURLs(t *testing.T) {
	tests := []struct {
		env  openflex.Environment
		in   string
		want string
	}{
		{openflex.Production, "https://Shop.Example.com", "https://shop.example.com"},
		{openflex.Production, "https://shop.example.com:8443", "https://shop.example.com:8443"},
		{openflex.Production, "http://shop.example.com", ""},
		{openflex.Training, "http://localhost:3000", "http://localhost:3000"},
		{openflex.Training, "https://shop.example.com/", ""},
		{openflex.Training, "https://shop.example.com/checkout", ""},
		{openflex.Training, "https://user:pw@shop.example.com", ""},
		{openflex.Training, "https://shop.example.com?x=1", ""},
		{openflex.Training, "ftp://shop.example.com", ""},
		{openflex.Training, "shop.example.com", ""},
	}
	for _, tc := range tests {
		got, ok := NormalizeTrustURL(tc.env, tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizeTrustURL(%s, %q) = %q, %v; want %q", tc.env, tc.in, got, ok, tc.want)
		}
	}
	trust := []string{"https://shop.example.com"}
	for url, want := range map[string]bool{
		"https://shop.example.com/thanks?order=1": true,
		"https://SHOP.example.com/x":              true,
		"http://shop.example.com/thanks":          false,
		"https://shop.example.com.evil.io/x":      false,
		"https://user@shop.example.com/x":         false,
		"https://shop.example.com:444/x":          false,
	} {
		if got := URLTrusted(trust, url); got != want {
			t.Errorf("URLTrusted(%q) = %v, want %v", url, got, want)
		}
	}
}
