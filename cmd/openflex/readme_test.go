package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
)

// TestREADMEWalk runs the README's walk through the API, as written,
// against `serve --demo`: every curl command in order, each placeholder
// replaced by what the walk says it is (the demo's printed credentials,
// then the values its "# NAME = .path" comments read from earlier replies).
// A command that fails, a placeholder used before it is known, or a walk
// that no longer does what its prose says fails the test, so the README
// stays true.
func TestREADMEWalk(t *testing.T) {
	steps := walkSection(t, "../../README.md", "### A walk through the API")
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		_, w := serveDemo(t, e, steps)
		var replies []walkReply
		for _, st := range steps {
			switch {
			case st.curl != "":
				replies = append(replies, w.run(st.curl))
			case st.cli != "" || st.browser:
				t.Fatalf("README walk: a step other than a curl command or a capture: %+v", st)
			default:
				w.capture(replies[len(replies)-1], st.name, st.path)
			}
		}
		checkWalkOutcome(t, replies)
	})
}

// serveDemo runs `serve --demo` on engine e until the test ends, and
// returns its configuration and a walker for steps that holds the
// credentials it printed (CLIENT_ID, CLIENT_SECRET).
func serveDemo(t *testing.T, e storetest.Engine, steps []walkStep) (Config, *walker) {
	t.Helper()
	c := config(t, e)
	c.Demo = true
	var out bytes.Buffer
	srv := &Main{Config: c, Out: &out}
	if err := srv.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	m := regexp.MustCompile(`client_id\s+(\S+)\s+client_secret\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve --demo printed no credentials:\n%s", out.String())
	}
	w := &walker{t: t, base: "http://" + srv.Addr(), vars: map[string]string{"CLIENT_ID": m[1], "CLIENT_SECRET": m[2]},
		declared: declaredNames(steps)}
	return c, w
}

// checkWalkOutcome holds the walk to its prose: the store's history shows
// the online purchase (hold, $300 shipped, $100 back, the rest released)
// and the in-store sale, and the events feed has the purchase's events.
func checkWalkOutcome(t *testing.T, replies []walkReply) {
	t.Helper()
	var history, events *walkReply
	for i := range replies {
		switch {
		case strings.Contains(replies[i].url, "/v1/transactions"):
			history = &replies[i]
		case strings.Contains(replies[i].url, "/v1/events"):
			events = &replies[i]
		}
	}
	if history == nil || events == nil {
		t.Fatal("the walk no longer reads the transactions and the events")
	}
	var got []string
	for _, x := range history.json["data"].([]any) {
		tx := x.(map[string]any)
		got = append(got, fmt.Sprintf("%s:%v", tx["type"], tx["amount"]))
	}
	slices.Sort(got)
	want := []string{"authorization:120000", "authorization:45000", "capture:30000", "capture:45000", "release:90000", "return:10000"}
	if !slices.Equal(got, want) {
		t.Errorf("the store's history after the walk = %v, want %v", got, want)
	}
	types := map[string]bool{}
	for _, x := range events.json["data"].([]any) {
		types[x.(map[string]any)["type"].(string)] = true
	}
	for _, typ := range []string{"application.approved", "authorization.created", "authorization.captured", "return.created", "authorization.released"} {
		if !types[typ] {
			t.Errorf("the events after the walk lack %s: %v", typ, types)
		}
	}
}

// walkStep is a curl command of the walk, or a "# NAME = .path" capture
// (docs/servicing.md's walk also has openflex commands and a browser step).
type walkStep struct {
	curl       string
	name, path string
	cli        string
	browser    bool
}

// walkSection reads the code blocks of path's section under heading (up
// to the next "## " heading) into steps: curl commands (one runs on until
// its quotes close), openflex commands, "# In a browser" steps and
// "# NAME = .path" captures of the reply before. Blank lines and other
// comments are prose; any other code line fails the test.
func walkSection(t *testing.T, path, heading string) []walkStep {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, heading+"\n")
	if i < 0 {
		t.Fatalf("%s has no %q section", path, heading)
	}
	text = text[i+len(heading):]
	if j := strings.Index(text, "\n## "); j >= 0 {
		text = text[:j]
	}
	captureLine := regexp.MustCompile(`^# ([A-Z][A-Z_]*) = (\..*)$`)
	var steps []walkStep
	var cmd []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "    ") {
			if len(cmd) > 0 {
				t.Fatalf("%s walk: unterminated command %q", path, strings.Join(cmd, "\n"))
			}
			continue
		}
		line = strings.TrimPrefix(line, "    ")
		switch {
		case len(cmd) > 0 || strings.HasPrefix(line, "curl "):
			cmd = append(cmd, line)
			if joined := strings.Join(cmd, "\n"); strings.Count(joined, "'")%2 == 0 {
				steps = append(steps, walkStep{curl: joined})
				cmd = nil
			}
		case strings.HasPrefix(line, "openflex "):
			steps = append(steps, walkStep{cli: line})
		case strings.HasPrefix(line, "# In a browser"):
			steps = append(steps, walkStep{browser: true})
		case captureLine.MatchString(line):
			m := captureLine.FindStringSubmatch(line)
			if len(steps) == 0 {
				t.Fatalf("%s walk: %q comes before any request", path, line)
			}
			steps = append(steps, walkStep{name: m[1], path: strings.TrimSpace(m[2])})
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		default:
			t.Fatalf("%s walk: a code line the test cannot run: %q", path, line)
		}
	}
	if len(steps) < 10 {
		t.Fatalf("%s walk: %d steps found; the parser and the document disagree", path, len(steps))
	}
	return steps
}

// declaredNames are the placeholders the walk sets, so one used before it
// is set is caught.
func declaredNames(steps []walkStep) []string {
	names := []string{"CLIENT_ID", "CLIENT_SECRET"}
	for _, s := range steps {
		if s.name != "" {
			names = append(names, s.name)
		}
	}
	return names
}

var leftover = regexp.MustCompile(`(^|[^A-Za-z0-9_-])([A-Z][A-Z_]{3,})\b`)

type walker struct {
	t        *testing.T
	base     string
	vars     map[string]string
	declared []string
}

type walkReply struct {
	url    string
	status int
	raw    []byte
	json   map[string]any
}

// run substitutes the placeholders in a curl command and performs it as
// curl would.
func (w *walker) run(cmd string) walkReply {
	t := w.t
	t.Helper()
	for _, name := range w.declared {
		re := regexp.MustCompile(`\b` + name + `\b`)
		if v, ok := w.vars[name]; ok {
			cmd = re.ReplaceAllLiteralString(cmd, v)
		} else if re.MatchString(cmd) {
			t.Fatalf("README walk uses %s before saying where it comes from:\n%s", name, cmd)
		}
	}
	// A word in capitals left over is a placeholder the walk never sets.
	for _, m := range leftover.FindAllStringSubmatch(cmd, -1) {
		if m[2] != "POST" {
			t.Fatalf("README walk: placeholder %s is never set by a \"# %s = .path\" comment:\n%s", m[2], m[2], cmd)
		}
	}
	cmd = strings.ReplaceAll(cmd, "http://127.0.0.1:8080", w.base)
	args, err := shellWords(cmd)
	if err != nil {
		t.Fatalf("README walk: %v in %q", err, cmd)
	}
	if args[0] != "curl" {
		t.Fatalf("README walk: not a curl command: %q", cmd)
	}
	var method, target, user string
	var body *string
	header := http.Header{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		next := func() string {
			i++
			if i >= len(args) {
				t.Fatalf("README walk: %s needs a value in %q", a, cmd)
			}
			return args[i]
		}
		switch a {
		case "-s":
		case "-u":
			user = next()
		case "-H":
			k, v, ok := strings.Cut(next(), ":")
			if !ok {
				t.Fatalf("README walk: bad header in %q", cmd)
			}
			header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case "-d":
			d := next()
			body = &d
		case "-X":
			method = next()
		default:
			if strings.HasPrefix(a, "-") || target != "" {
				t.Fatalf("README walk: curl option %q is not understood by the test; teach it", a)
			}
			target = a
		}
	}
	if method == "" {
		method = "GET"
		if body != nil {
			method = "POST"
		}
	}
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(*body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // curl -d's default
	}
	if method == "POST" && req.Header.Get("Idempotency-Key") == "" && !strings.HasSuffix(req.URL.Path, "/oauth/token") {
		t.Errorf("README walk: POST %s without an Idempotency-Key, though the README says every POST sends one", req.URL.Path)
	}
	if id, secret, ok := strings.Cut(user, ":"); ok {
		req.SetBasicAuth(id, secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := walkReply{url: target, status: res.StatusCode, raw: raw}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		t.Fatalf("README walk: %s %s = %d %s", method, req.URL.Path, res.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, &r.json); err != nil {
		t.Fatalf("README walk: %s %s answered no JSON object: %s", method, req.URL.Path, raw)
	}
	return r
}

// capture sets name from path in a reply: .a.b, [N] and [field=value].
func (w *walker) capture(r walkReply, name, path string) {
	t := w.t
	t.Helper()
	var cur any = r.json
	for rest := path; rest != ""; {
		switch {
		case strings.HasPrefix(rest, "."):
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			obj, _ := cur.(map[string]any)
			cur, rest = obj[rest[:end]], rest[end:]
		case strings.HasPrefix(rest, "["):
			end := strings.Index(rest, "]")
			if end < 0 {
				t.Fatalf("README walk: bad path %q", path)
			}
			sel, list := rest[1:end], cur
			rest, cur = rest[end+1:], nil
			items, _ := list.([]any)
			if n, err := strconv.Atoi(sel); err == nil {
				if n < len(items) {
					cur = items[n]
				}
				break
			}
			field, value, _ := strings.Cut(sel, "=")
			for _, it := range items {
				if obj, _ := it.(map[string]any); obj != nil && fmt.Sprint(obj[field]) == value {
					cur = obj
					break
				}
			}
		default:
			t.Fatalf("README walk: bad path %q", path)
		}
		if cur == nil {
			t.Fatalf("README walk: %s = %s finds nothing in %s", name, path, r.raw)
		}
	}
	s, ok := cur.(string)
	if !ok || s == "" {
		t.Fatalf("README walk: %s = %s is %v, not a string", name, path, cur)
	}
	w.vars[name] = s
}

// shellWords splits a command as a POSIX shell would for the quoting the
// README uses: single quotes, double quotes, backslash escapes.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated double quote")
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				cur.WriteByte(s[i])
				inWord = true
			}
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty command")
	}
	return words, nil
}
