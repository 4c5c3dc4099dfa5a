package till

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/web"
)

// TestTillMessages checks the till's table like TestMessagesComplete
// checks the others: no key twice, both languages with the same verbs,
// and every "till." key the handlers name present.
func TestTillMessages(t *testing.T) {
	verb := regexp.MustCompile(`%[dsv]`)
	site := web.New(web.Config{Control: struct{ web.Store }{}})
	site.AddMessages(tillMessages) // panics on a key the kit has too
	hasMessage := func(k string) bool { _, ok := site.Messages()[k]; return ok }
	for k, m := range tillMessages {
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
