package openflex_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules guards the layering of DESIGN.md: the domain never
// speaks HTTP or SQL, and transports never reach past the domain into the
// storage implementation.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/openflex/openflex"
	domain := map[string]bool{mod: true, mod + "/internal/lending": true, mod + "/internal/credit": true,
		mod + "/internal/finance": true, mod + "/internal/keys": true, mod + "/internal/merchant": true,
		mod + "/internal/settlement": true, mod + "/internal/servicing": true}
	transports := map[string]bool{mod + "/internal/api": true, mod + "/internal/checkout": true,
		mod + "/internal/portal": true, mod + "/internal/webhook": true, mod + "/internal/web": true,
		mod + "/internal/till": true, mod + "/internal/console": true}
	dec := json.NewDecoder(strings.NewReader(string(out)))
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
		if domain[p.ImportPath] {
			for _, d := range p.Deps {
				if d == "net/http" || d == "database/sql" {
					t.Errorf("%s depends on %s: the domain must not speak HTTP or SQL", p.ImportPath, d)
				}
			}
		}
		if p.ImportPath == mod {
			for _, d := range p.Imports {
				if strings.Contains(d, ".") {
					t.Errorf("the root package imports %s: it may use only the standard library", d)
				}
			}
		}
		if transports[p.ImportPath] {
			for _, d := range p.Deps {
				if d == mod+"/internal/sqlstore" {
					t.Errorf("%s depends on internal/sqlstore: transports talk to storage through the domain's ports", p.ImportPath)
				}
			}
		}
	}
	if seen < 5 {
		t.Fatalf("go list saw only %d packages", seen)
	}
}
