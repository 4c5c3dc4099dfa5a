package openflex_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layer is a set of packages and the module packages they may import. A
// package of the module in no layer, or an import a layer does not allow,
// fails TestImportRules: a new dependency between rooms is a decision to
// write down here, not an accident.
type layer struct {
	name     string
	packages []string // module-relative ("" is the root package)
	may      []string // module-relative packages they may import
	// noStd lists standard-library packages the layer must not depend on,
	// even indirectly.
	noStd []string
}

var (
	domain = []string{"", "internal/lending", "internal/credit", "internal/finance", "internal/keys", "internal/merchant",
		"internal/settlement", "internal/plans", "internal/servicing", "internal/users", "internal/pii",
		"internal/servicing/engine", "internal/cpa005", "internal/pad", "internal/customer", "internal/statementpdf"}
	rooms = []string{"internal/portal", "internal/till", "internal/console", "internal/account"}
)

func with(base []string, more ...string) []string { return append(slices.Clone(base), more...) }

// layers is DESIGN.md's layering, as an allow-list (see
// docs/decisions.md, "Every rule in its room").
var layers = []layer{
	{name: "domain", packages: domain, may: domain, noStd: []string{"net/http", "database/sql"}},
	{name: "edge adapter", packages: []string{"internal/credit/httpbureau", "internal/notify"}, may: domain},
	// Small mechanisms with no business rule, usable by every transport.
	{name: "utility", packages: []string{"internal/netguard", "internal/ratelimit"}, may: domain},
	{name: "storage", packages: []string{"internal/sqlstore", "internal/dberr"}, may: with(domain, "internal/dberr")},
	{name: "jobs", packages: []string{"internal/jobs"}, may: domain},
	// An environment's services, as the transports are handed them.
	{name: "plane", packages: []string{"internal/plane"}, may: with(domain, "internal/checkout", "internal/webhook")},
	// Transports decode, call the domain, render. The web kit serves the
	// rooms; a room never imports another room.
	{name: "API transport", packages: []string{"internal/api"}, may: with(domain, "internal/plane", "internal/checkout", "internal/webhook", "internal/netguard", "internal/ratelimit")},
	{name: "checkout transport", packages: []string{"internal/checkout"}, may: domain},
	{name: "webhook delivery", packages: []string{"internal/webhook"}, may: with(domain, "internal/netguard")},
	{name: "web kit", packages: []string{"internal/web"}, may: with(domain, "internal/ratelimit")},
	{name: "room", packages: rooms, may: with(domain, "internal/plane", "internal/web", "internal/webhook", "internal/netguard", "internal/ratelimit")},
	// Wiring builds everything; the CLI calls the services app built.
	{name: "wiring", packages: []string{"internal/app"}, may: nil /* anything */},
	// The CLI's --json output is the API's JSON (internal/api renders it).
	{name: "CLI", packages: []string{"cmd/openflex"}, may: with(domain, "internal/app", "internal/api")},
	// The load tool seeds and renders events as the server does.
	{name: "tools", packages: []string{"cmd/openflex-bench", "cmd/openflex-cluster"}, may: with(domain, "internal/app", "internal/api")},
	{name: "examples", packages: []string{"examples/shop", "examples/shop/storefront"}, may: []string{"examples/shop/storefront"}},
	{name: "test support", packages: []string{"internal/storetest", "internal/app/apptest", "internal/web/webtest", "internal/axetest",
		"internal/sdktest", "internal/securitytest"}, may: nil},
}

// knownExceptions are imports the allow-list refuses that are still
// there, each with the work that removes it. Shrink this list; never grow
// it without a note in docs/decisions.md.
var knownExceptions = map[string]string{
	// The CLI's storage-level commands (migrate, scrub, verify, key
	// look-ups, bank accounts, the pending list) still open the store
	// themselves; each should become a service call like the payout run.
	"cmd/openflex -> internal/sqlstore": "storage-level commands",
}

// TestImportRules guards the layering of DESIGN.md: every package of the
// module is in a layer, imports only what its layer allows, and the domain
// depends on neither HTTP nor SQL.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, msg := range importViolations(t, out) {
		t.Error(msg)
	}
}

func importViolations(t *testing.T, goList []byte) []string {
	const mod = "github.com/openflex/openflex"
	rel := func(p string) (string, bool) {
		if p == mod {
			return "", true
		}
		r, ok := strings.CutPrefix(p, mod+"/")
		return r, ok
	}
	byPkg := map[string]layer{}
	for _, l := range layers {
		for _, p := range l.packages {
			byPkg[p] = l
		}
	}
	var msgs []string
	used := map[string]bool{}
	dec := json.NewDecoder(strings.NewReader(string(goList)))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath    string
			Imports, Deps []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		name, _ := rel(p.ImportPath)
		l, ok := byPkg[name]
		if !ok {
			msgs = append(msgs, p.ImportPath+" is in no layer: add it to imports_test.go's layers")
			continue
		}
		for _, d := range p.Deps {
			if slices.Contains(l.noStd, d) {
				msgs = append(msgs, p.ImportPath+" depends on "+d+": the "+l.name+" layer must not")
			}
		}
		if name == "" {
			for _, d := range p.Imports {
				if strings.Contains(d, ".") {
					msgs = append(msgs, "the root package imports "+d+": it may use only the standard library")
				}
			}
		}
		if l.may == nil {
			continue
		}
		for _, d := range p.Imports {
			dep, ours := rel(d)
			if !ours || dep == name || slices.Contains(l.may, dep) {
				continue
			}
			edge := name + " -> " + dep
			if _, known := knownExceptions[edge]; known {
				used[edge] = true
				continue
			}
			msgs = append(msgs, p.ImportPath+" imports "+d+": the "+l.name+" layer may not")
		}
	}
	if seen < 20 {
		t.Fatalf("go list saw only %d packages", seen)
	}
	for edge := range knownExceptions {
		if !used[edge] {
			msgs = append(msgs, "known exception "+edge+" is gone: delete it from knownExceptions")
		}
	}
	return msgs
}
