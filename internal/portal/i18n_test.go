package portal

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/portal/account"
)

// notMessages are literals the key scan would take for message keys.
var notMessages = map[string]bool{"layout.html": true, "webhook.redelivered": true}

// TestMessagesComplete checks that every message key a template or handler
// names exists, and that each has English and French with the same
// formatting verbs.
func TestMessagesComplete(t *testing.T) {
	for k := range messages {
		if _, dup := pageMessages[k]; dup {
			t.Errorf("%q is in both message tables", k)
		}
	}
	verb := regexp.MustCompile(`%[dsv]`)
	for _, table := range []map[string][2]string{messages, pageMessages} {
		for k, m := range table {
			if m[0] == "" || m[1] == "" {
				t.Errorf("%q lacks a translation", k)
			}
			if en, fr := verb.FindAllString(m[0], -1), verb.FindAllString(m[1], -1); strings.Join(en, "") != strings.Join(fr, "") {
				t.Errorf("%q: English verbs %v, French %v", k, en, fr)
			}
		}
	}

	want := map[string]bool{}
	// Literal keys in templates: {{t "key"}}.
	tmplKey := regexp.MustCompile(`\bt "([a-z_.0-9]+)"`)
	fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFS, path)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			want[m[1]] = true
		}
		return nil
	})
	// Literal keys in handlers, and the done= flashes of redirects.
	goKey := regexp.MustCompile(`"((?:err|login|signup|verify|forgot|reset|mail|secret|keys|keyset|revoke|webhooks|webhook|endpoint_delete|stores|audit|golive|inbox|requests|reference|admin|overview|nav|layout|field|hint|status|env|roll|delivery)\.[a-z_0-9]+)"`)
	done := regexp.MustCompile(`done=([a-z_]*[a-z])\b`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], "_") && !notMessages[m[1]] { // prefixes completed below
				want[m[1]] = true
			}
		}
		for _, m := range done.FindAllStringSubmatch(string(b), -1) {
			want["done."+m[1]] = true
		}
	}
	// Keys built from values.
	for _, env := range openflex.Environments {
		for _, k := range []string{"env.", "err.trust_url_", "err.webhook_url_"} {
			want[k+string(env)] = true
		}
	}
	for _, p := range provinces {
		want["prov."+string(p)] = true
	}
	for _, c := range rollChoices {
		want["roll."+c.Value] = true
	}
	for _, s := range []string{"active", "inactive", "revoked"} {
		want["status."+s] = true
	}
	for _, s := range []string{"pending", "succeeded", "failed"} {
		want["delivery."+s] = true
	}
	for _, s := range []account.GoLiveStatus{account.GoLivePending, account.GoLiveApproved, account.GoLiveRejected} {
		want["golive."+string(s)] = true
		if s != account.GoLivePending {
			want["done.go_live_"+string(s)] = true
		}
	}
	if len(want) < 150 {
		t.Fatalf("found only %d keys: the scan is broken", len(want))
	}
	for k := range want {
		if !hasMessage(k) {
			t.Errorf("message %q is used but missing", k)
		}
	}
}

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

func TestPasswordHash(t *testing.T) {
	p := &Portal{hashing: make(chan struct{}, 1)}
	ctx := t.Context()
	h1, err := p.hashPassword(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := p.hashPassword(ctx, "correct horse battery staple")
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
		if ok, err := p.checkPassword(ctx, tc.hash, tc.pw); ok != tc.ok || err != nil {
			t.Errorf("%s: checkPassword = %v, %v; want %v", tc.name, ok, err, tc.ok)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA"} {
		if ok, err := p.checkPassword(ctx, bad, "x"); ok || err == nil {
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
		if got := passwordProblem(tc.pw, tc.confirm); got != tc.want {
			t.Errorf("passwordProblem(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
	if a, b := GeneratePassword(), GeneratePassword(); a == b || len(a) < MinPasswordLen {
		t.Errorf("GeneratePassword = %q, %q", a, b)
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
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// frenchPunct is a ? or ! glued to the word before it: French puts a
// no-break space there ("Mot de passe oublié ?").
var frenchPunct = regexp.MustCompile(`[^\s\x{00a0}\x{202f}][?!]($|[\s<])`)

// TestFrenchPunctuation checks that every French message spaces its ? and !.
func TestFrenchPunctuation(t *testing.T) {
	for _, table := range []map[string][2]string{messages, pageMessages, reviewMessages, settlementMessages, adminPlanMessages, tillMessages} {
		for k, m := range table {
			if frenchPunct.MatchString(m[1]) {
				t.Errorf("%s: %q has a ? or ! without the no-break space before it", k, m[1])
			}
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
