package users

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	p := New(nil, nil)
	ctx := t.Context()
	h1, err := p.HashPassword(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := p.HashPassword(ctx, "correct horse battery staple")
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || h1 == h2 {
		t.Fatalf("hashPassword = %q, %q; want salted OWASP-parameter argon2id", h1, h2)
	}
	tests := []struct {
		name, hash, pw string
		ok             bool
	}{
		{"right", h1, "correct horse battery staple", true},
		{"wrong", h1, "correct horse battery stapler", false},
		{"dummy", dummyHash, "anything at all", false},
	}
	for _, tc := range tests {
		if ok, err := p.CheckPassword(ctx, tc.hash, tc.pw); ok != tc.ok || err != nil {
			t.Errorf("%s: checkPassword = %v, %v; want %v", tc.name, ok, err, tc.ok)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA"} {
		if ok, err := p.CheckPassword(ctx, bad, "x"); ok || err == nil {
			t.Errorf("checkPassword(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
	if _, err := parseHash(dummyHash); err != nil {
		t.Errorf("the dummy hash does not parse: %v", err)
	}
}

func TestPasswordRules(t *testing.T) {
	tests := []struct {
		pw, confirm, want string
	}{
		{"short", "short", "err.password_short"},
		{"élan vital !", "élan vital !", ""}, // 12 characters, more bytes
		{"twelve chars", "twelve chars", ""},
		{"twelve chars", "twelve charz", "err.password_confirm"},
		{strings.Repeat("x", 1025), strings.Repeat("x", 1025), "err.password_long"},
	}
	for _, tc := range tests {
		if got := PasswordProblem(tc.pw, tc.confirm); got != tc.want {
			t.Errorf("PasswordProblem(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
	if a, b := GeneratePassword(), GeneratePassword(); a == b || len(a) < MinPasswordLen {
		t.Errorf("GeneratePassword = %q, %q", a, b)
	}
}
