package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
)

// TestServicingWalk runs docs/servicing.md's "A customer's month end to
// end on the TRAINING test clock", as written, against `serve --demo`:
// each curl command and each openflex command in order, the placeholders
// filled as the walk says, and the browser step (automatic payments set
// up on the customer's pages) done through those pages' forms. The walk
// must end as its prose says: the statement shown, one $500.00 debit in
// the bank's file, and nothing owed.
func TestServicingWalk(t *testing.T) {
	steps := walkSection(t, "../../docs/servicing.md", "## A customer's month end to end on the TRAINING test clock")
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		c, w := serveDemo(t, e, steps)
		t.Setenv("OPENFLEX_DATA_DIR", c.DataDir)
		t.Setenv("OPENFLEX_DATABASE_URL", c.DatabaseURL)
		t.Setenv("OPENFLEX_SCHEMA_PREFIX", c.SchemaPrefix)
		t.Chdir(t.TempDir()) // the debit file is written where the commands run
		var replies []walkReply
		var printed []string // what each openflex command printed
		for _, st := range steps {
			switch {
			case st.curl != "":
				replies = append(replies, w.run(st.curl))
			case st.cli != "":
				printed = append(printed, w.cli(st.cli))
			case st.browser:
				w.enrolOnTheCustomersPages()
			default:
				w.capture(replies[len(replies)-1], st.name, st.path)
			}
		}
		if len(printed) != 3 {
			t.Fatalf("the walk ran %d openflex commands, want 3 (statement, debit file, account)", len(printed))
		}
		for i, want := range [][]string{
			{"Statement", "New balance", "$500.00", "Minimum payment", "$25.00", "February 22, 2027"},
			{"1 debits, $500.00"},
			{"owed $0.00"},
		} {
			for _, s := range want {
				if !strings.Contains(printed[i], s) {
					t.Errorf("openflex command %d printed no %q:\n%s", i+1, s, printed[i])
				}
			}
		}
	})
}

// cli runs an openflex command of the walk in this process, its
// placeholders filled, and returns what it printed.
func (w *walker) cli(cmd string) string {
	t := w.t
	t.Helper()
	for name, v := range w.vars {
		cmd = regexp.MustCompile(`\b`+name+`\b`).ReplaceAllLiteralString(cmd, v)
	}
	if m := leftover.FindStringSubmatch(cmd); m != nil {
		t.Fatalf("walk: placeholder %s is not set before:\n%s", m[2], cmd)
	}
	args, err := shellWords(cmd)
	if err != nil {
		t.Fatalf("walk: %v in %q", err, cmd)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), args[1:], &out, &errb); err != nil {
		t.Fatalf("walk: %s: %v\n%s", cmd, err, errb.String())
	}
	return out.String()
}

// enrolOnTheCustomersPages is the walk's browser step: the customer
// (ACCOUNT, born 1988-03-14) signs in at /account/training/ with the
// TRAINING code and sets up automatic payments of the statement balance,
// through the pages' own forms.
func (w *walker) enrolOnTheCustomersPages() {
	t := w.t
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := w.base + "/account/training/"
	do := func(method, path string, form url.Values, want int) string {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, base+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("customer's pages: %s %s = %d, want %d:\n%s", method, path, res.StatusCode, want, b)
		}
		return string(b)
	}
	csrf := func(page, action string) string {
		t.Helper()
		m := regexp.MustCompile(`action="[^"]*/` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("customer's pages: no %s form:\n%s", action, page)
		}
		return m[1]
	}
	do("POST", "signin", url.Values{"account_number": {w.vars["ACCOUNT"]}, "date_of_birth": {"1988-03-14"}, "channel": {"email"}, "lang": {"en"}}, http.StatusSeeOther)
	do("POST", "code", url.Values{"csrf": {csrf(do("GET", "code", nil, http.StatusOK), "code")}, "code": {"222222"}}, http.StatusSeeOther)
	page := do("GET", "autopay", nil, http.StatusOK)
	do("POST", "autopay", url.Values{"csrf": {csrf(page, "autopay")}, "choice": {"statement_balance"}, "holder_name": {"Zoë Monthly"},
		"institution": {"004"}, "transit": {"12345"}, "account": {"1234567"}, "accepted": {"yes"}}, http.StatusSeeOther)
	if page := do("GET", "autopay", nil, http.StatusOK); !strings.Contains(page, `id="autopay-on"`) || !strings.Contains(page, `id="confirmation"`) {
		t.Fatalf("customer's pages: automatic payments are not on, with their confirmation:\n%s", page)
	}
}
