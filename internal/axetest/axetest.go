// Package axetest audits pages in the browser tests with axe-core, the
// accessibility engine (npm package axe-core, pinned in tools/axe and
// installed there by `npm ci`). Zero violations is the bar: every rule axe
// runs by default (WCAG 2.0, 2.1 and 2.2 A and AA, and best practices).
package axetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

var (
	once   sync.Once
	script string
	miss   string // why axe is not available: skip with it
	fail   error
)

// Script returns axe.min.js, running `npm ci` in tools/axe when it is not
// installed yet. It skips the test, saying why, only when Node.js (npm) is
// missing; any other problem fails it.
func Script(t testing.TB) string {
	t.Helper()
	once.Do(load)
	switch {
	case fail != nil:
		t.Fatalf("axe-core: %v", fail)
	case miss != "":
		t.Skipf("axe-core audit skipped: %s", miss)
	}
	return script
}

func load() {
	dir, err := toolsDir()
	if err != nil {
		fail = err
		return
	}
	file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(file); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			miss = "Node.js (npm) not found; install Node.js, then `npm ci` in tools/axe (scripts/test does it)"
			return
		}
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			fail = fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
			return
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		fail = err
		return
	}
	script = string(b)
}

// toolsDir finds tools/axe from the test's directory, up to the module root.
func toolsDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "tools", "axe"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Violation is one failed axe rule, with the elements failing it.
type Violation struct {
	ID          string `json:"id"`
	Impact      string `json:"impact"`
	Description string `json:"description"`
	HelpURL     string `json:"helpUrl"`
	Nodes       []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
		Why    string `json:"failureSummary"`
	} `json:"nodes"`
}

// Audit runs axe over the document of ctx (a tab or a frame's target)
// and returns its violations. The script is evaluated through DevTools,
// which the pages' Content-Security-Policy does not restrict.
func Audit(t testing.TB, ctx context.Context) []Violation {
	t.Helper()
	src := Script(t)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined" || (function(){`+src+`
;return true})()`)); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe-core result: %v", err)
	}
	return vs
}

// Check fails the test for every violation of the page, named state.
// Without Node.js it only logs that the audit was skipped, so the rest of
// a browser test still runs.
func Check(t testing.TB, ctx context.Context, state string) {
	t.Helper()
	once.Do(load)
	if miss != "" && fail == nil {
		t.Logf("axe-core audit of %s skipped: %s", state, miss)
		return
	}
	for _, v := range Audit(t, ctx) {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprintf("%v %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Why, "\n", "; ")))
		}
		t.Errorf("axe %s: %s (%s, %s) %s\n    %s", state, v.ID, v.Impact, v.Description, v.HelpURL, strings.Join(where, "\n    "))
	}
}
