package portal

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/web"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/users"
)

// notMessages are literals the key scan would take for message keys.
var notMessages = map[string]bool{"layout.html": true, "webhook.redelivered": true}

// TestMessagesComplete checks that every message key a template or handler
// names exists, and that each has English and French with the same
// formatting verbs.
func TestMessagesComplete(t *testing.T) {
	site := web.New(web.Config{Control: struct{ web.Store }{}})
	site.AddMessages(pageMessages) // panics on a key in two tables
	site.AddMessages(settlementMessages)
	site.AddMessages(clerkMessages)
	hasMessage := func(k string) bool { _, ok := site.Messages()[k]; return ok }
	verb := regexp.MustCompile(`%[dsv]`)
	for _, table := range []map[string][2]string{site.Messages()} {
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
	for _, s := range []users.GoLiveStatus{users.GoLivePending, users.GoLiveApproved, users.GoLiveRejected} {
		want["golive."+string(s)] = true
		if s != users.GoLivePending {
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

// TestScrollersFocusable: what scrolls sideways at phone width (table
// wrappers, code blocks) can be reached and scrolled by keyboard
// (axe's scrollable-region-focusable).
func TestScrollersFocusable(t *testing.T) {
	scroller := regexp.MustCompile(`<div class="table-wrap"[^>]*>|<pre[^>]*>`)
	err := fs.WalkDir(os.DirFS("templates"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("templates", path))
		if err != nil {
			return err
		}
		for _, tag := range scroller.FindAllString(string(b), -1) {
			if !strings.Contains(tag, `tabindex="0"`) {
				t.Errorf("%s: %s scrolls sideways on a phone but cannot be reached by keyboard (tabindex=\"0\")", path, tag)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
