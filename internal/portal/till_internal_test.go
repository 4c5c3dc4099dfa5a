package portal

import (
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseCents(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"500", 500_00, true},
		{"500.5", 500_50, true},
		{"$1,299.99", 1_299_99, true},
		{"1 299,99 $", 1_299_99, true},
		{"1\u00a0299,9", 1_299_90, true},
		{"0.01", 1, true},
		{".75", 75, true},
		{"1,000", 1_000_00, true},
		{"0", 0, false},
		{"", 0, false},
		{"12.345", 0, false},
		{"-5", 0, false},
		{"5e3", 0, false},
		{"1.2.3", 0, false},
		{"100000000000", 0, false},
	}
	for _, tc := range tests {
		if got, ok := parseCents(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("parseCents(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestTillMessages checks the till's table like TestMessagesComplete
// checks the others: no key twice, both languages with the same verbs,
// and every "till." key the handlers name present.
func TestTillMessages(t *testing.T) {
	verb := regexp.MustCompile(`%[dsv]`)
	for k, m := range tillMessages {
		if _, dup := messages[k]; dup {
			t.Errorf("%q is in two message tables", k)
		}
		if _, dup := pageMessages[k]; dup {
			t.Errorf("%q is in two message tables", k)
		}
		if m[0] == "" || m[1] == "" {
			t.Errorf("%q lacks a translation", k)
		}
		if en, fr := verb.FindAllString(m[0], -1), verb.FindAllString(m[1], -1); strings.Join(en, "") != strings.Join(fr, "") {
			t.Errorf("%q: English verbs %v, French %v", k, en, fr)
		}
	}
	key := regexp.MustCompile(`"(till\.[a-z_.0-9]+[a-z0-9])"`)
	files, _ := filepath.Glob("till*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], "_") && !hasMessage(m[1]) {
				t.Errorf("message %q is used but missing", m[1])
			}
		}
	}
	for _, p := range []string{"first_name", "last_name", "date_of_birth", "postal_code", "account_number"} {
		if !hasMessage("till.err.field_" + p) {
			t.Errorf("no message for a %s problem", p)
		}
	}
}

// TestReferenceFrenchComplete: every text of the OpenAPI document has its
// French, so the French API reference has no English section. A new
// summary or description in internal/api/openapi.json needs its French in
// reference_fr.go.
func TestReferenceFrenchComplete(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "api", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	ref := parseReference(doc, slog.New(slog.DiscardHandler))
	if ref == nil {
		t.Fatal("the OpenAPI document does not parse")
	}
	_, missing := ref.translated()
	for _, s := range missing {
		t.Errorf("no French for %q (add it to reference_fr.go)", s)
	}
}
