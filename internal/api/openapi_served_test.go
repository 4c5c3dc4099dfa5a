package api

import (
	"encoding/json"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
)

// TestServedOpenAPINamesThisServer: /openapi.json names --public-url as
// its server and carries a license; every operation documents a 4xx.
func TestServedOpenAPINamesThisServer(t *testing.T) {
	ev := newEnv(t, storetest.Engines(t)[0], func(c *Config) {
		c.PublicURL = func() string { return "https://openflex.lender.example/" }
	})
	r := ev.call("GET", "/openapi.json", "", "")
	var doc struct {
		Info struct {
			License struct{ Name, Identifier string }
		}
		Servers []struct{ URL string }
		Paths   map[string]map[string]struct {
			Responses map[string]any
		}
	}
	if err := json.Unmarshal(r.raw, &doc); err != nil || r.status != 200 {
		t.Fatalf("GET /openapi.json = %d, %v", r.status, err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://openflex.lender.example" {
		t.Errorf("served servers = %+v, want the public URL alone", doc.Servers)
	}
	if doc.Info.License.Name == "" {
		t.Error("the OpenAPI document has no license")
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			has4xx := false
			for code := range op.Responses {
				has4xx = has4xx || code[0] == '4'
			}
			if !has4xx {
				t.Errorf("%s %s documents no 4xx response", method, path)
			}
		}
	}
}
