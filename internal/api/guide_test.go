package api

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var updateGuide = flag.Bool("update-guide", false, "rewrite the generated parts of docs/api.md")

const guidePath = "../../docs/api.md"

// TestAPIGuide keeps the API guide (docs/api.md) true to the contract: its
// reference and its error table are generated from the OpenAPI document
// and the error table of errors.go (go test ./internal/api -run
// TestAPIGuide -update-guide rewrites them), and every operation the guide
// names anywhere exists, as every documented operation is in the guide.
func TestAPIGuide(t *testing.T) {
	b, err := os.ReadFile(guidePath)
	if err != nil {
		t.Fatal(err)
	}
	guide := string(b)
	doc := loadGuideDoc(t)
	for _, part := range []struct{ name, want string }{
		{"errors", errorTable()},
		{"reference", doc.reference(t)},
	} {
		start, end := "<!-- generated: "+part.name+" -->\n", "<!-- end of generated: "+part.name+" -->"
		i, j := strings.Index(guide, start), strings.Index(guide, end)
		if i < 0 || j < i {
			t.Fatalf("docs/api.md lacks the %q and %q markers", start, end)
		}
		if got := guide[i+len(start) : j]; got != part.want {
			if !*updateGuide {
				t.Errorf("docs/api.md: the generated %s differ from the contract; run go test ./internal/api -run TestAPIGuide -update-guide", part.name)
				continue
			}
			guide = guide[:i+len(start)] + part.want + guide[j:]
		}
	}
	if *updateGuide {
		if err := os.WriteFile(guidePath, []byte(guide), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	documented := map[string]bool{}
	for _, op := range doc.operations() {
		documented[op.method+" "+op.path] = true
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`(GET|POST|DELETE|PUT|PATCH|OPTIONS) (/[^`?\\s]*)").FindAllStringSubmatch(guide, -1) {
		named[m[1]+" "+m[2]] = true
		if !documented[m[1]+" "+m[2]] {
			t.Errorf("docs/api.md names `%s %s`, which /openapi.json does not document", m[1], m[2])
		}
	}
	for op := range documented {
		if !named[op] {
			t.Errorf("docs/api.md does not name `%s`, which /openapi.json documents", op)
		}
	}
}

type openAPIDoc struct {
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

type guideOp struct {
	method, path string
	Tags         []string          `json:"tags"`
	Summary      string            `json:"summary"`
	Security     *[]any            `json:"security"`
	Parameters   []json.RawMessage `json:"parameters"`
	RequestBody  json.RawMessage   `json:"requestBody"`
	Responses    map[string]any    `json:"responses"`
}

func loadGuideDoc(t *testing.T) *openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(OpenAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// resolve follows a local $ref ("#/components/schemas/X").
func (d *openAPIDoc) resolve(raw json.RawMessage) map[string]any {
	var m map[string]any
	json.Unmarshal(raw, &m)
	if ref, ok := m["$ref"].(string); ok {
		parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
		if len(parts) == 2 {
			return d.resolve(d.Components[parts[0]][parts[1]])
		}
	}
	return m
}

var methodOrder = []string{"get", "post", "put", "patch", "delete", "options"}

func (d *openAPIDoc) operations() []guideOp {
	var ops []guideOp
	for path, methods := range d.Paths {
		for method, raw := range methods {
			if !slices.Contains(methodOrder, method) {
				continue
			}
			var op guideOp
			json.Unmarshal(raw, &op)
			op.method, op.path = strings.ToUpper(method), path
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].path != ops[j].path {
			return ops[i].path < ops[j].path
		}
		return slices.Index(methodOrder, strings.ToLower(ops[i].method)) < slices.Index(methodOrder, strings.ToLower(ops[j].method))
	})
	return ops
}

// reference is the guide's reference: every operation by tag, with its
// query parameters, body fields (required ones first), headers and answers.
func (d *openAPIDoc) reference(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	ops := d.operations()
	for _, tag := range d.Tags {
		var lines []string
		for _, op := range ops {
			if len(op.Tags) == 0 || op.Tags[0] != tag.Name {
				continue
			}
			lines = append(lines, d.opLine(op))
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n%s", tag.Name, strings.Join(lines, ""))
	}
	for _, op := range ops {
		if len(op.Tags) == 0 || !slices.ContainsFunc(d.Tags, func(x struct {
			Name string `json:"name"`
		}) bool {
			return x.Name == op.Tags[0]
		}) {
			t.Errorf("%s %s has no tag listed in the document's tags: the guide cannot place it", op.method, op.path)
		}
	}
	return b.String() + "\n"
}

func (d *openAPIDoc) opLine(op guideOp) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- `%s %s` — %s.", op.method, op.path, strings.TrimSuffix(op.Summary, "."))
	if op.Security != nil && len(*op.Security) == 0 {
		b.WriteString(" No authentication.")
	}
	b.WriteString("\n")
	var query, headers []string
	for _, raw := range op.Parameters {
		p := d.resolve(raw)
		name, _ := p["name"].(string)
		if req, _ := p["required"].(bool); req && p["in"] != "path" {
			name += " (required)"
		}
		switch p["in"] {
		case "query":
			query = append(query, "`"+name+"`")
		case "header":
			headers = append(headers, "`"+name+"`")
		}
	}
	if len(query) > 0 {
		fmt.Fprintf(&b, "  Query: %s.\n", strings.Join(query, ", "))
	}
	if len(op.RequestBody) > 0 {
		body := d.resolve(op.RequestBody)
		var schema map[string]any
		var ct string
		for c, v := range body["content"].(map[string]any) {
			raw, _ := json.Marshal(v.(map[string]any)["schema"])
			schema, ct = d.resolve(raw), c
		}
		branches, oneOf := schema["oneOf"].([]any)
		switch props, _ := schema["properties"].(map[string]any); {
		case oneOf && props == nil:
			var parts []string
			for _, br := range branches {
				raw, _ := json.Marshal(br)
				parts = append(parts, "("+bodyFields(d.resolve(raw))+")")
			}
			fmt.Fprintf(&b, "  Body (%s): one of %s.\n", ct, strings.Join(parts, " or "))
		case len(props) == 0:
			b.WriteString("  No body (or an empty JSON object `{}`).\n")
		default:
			fmt.Fprintf(&b, "  Body (%s): %s.\n", ct, bodyFields(schema))
			if shapes := d.shapes(props); shapes != "" {
				fmt.Fprintf(&b, "  Shapes: %s.\n", shapes)
			}
		}
	}
	if len(headers) > 0 {
		fmt.Fprintf(&b, "  Headers: %s.\n", strings.Join(headers, ", "))
	}
	var ok, errs []string
	for code := range op.Responses {
		if code[0] == '2' {
			ok = append(ok, "`"+code+"`")
		} else {
			errs = append(errs, "`"+code+"`")
		}
	}
	sort.Strings(ok)
	sort.Strings(errs)
	fmt.Fprintf(&b, "  Answers %s; errors %s.\n", strings.Join(ok, ", "), strings.Join(errs, ", "))
	return b.String()
}

func asStrings(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, x.(string))
	}
	return out
}

// errorTable is every error code with its status and type, from errors.go.
func errorTable() string {
	type row struct {
		status    int
		typ, code string
	}
	var rows []row
	for code, info := range codeInfo {
		rows = append(rows, row{info.status, info.typ, string(code)})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].status != rows[j].status {
			return rows[i].status < rows[j].status
		}
		return rows[i].code < rows[j].code
	})
	var b strings.Builder
	b.WriteString("\n| Status | Type | Code |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | `%s` | `%s` |\n", r.status, r.typ, r.code)
	}
	return b.String() + "\n"
}

// shapes spells out the members of a body's object members (and of the
// objects of its array members), so `financing` reads as what to send.
func (d *openAPIDoc) shapes(props map[string]any) string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(props)) {
		raw, _ := json.Marshal(props[name])
		p := d.resolve(raw)
		open, close := "{", "}"
		if p["type"] == "array" {
			raw, _ = json.Marshal(p["items"])
			p = d.resolve(raw)
			open, close = "[{", "}]"
		}
		if inner, _ := p["properties"].(map[string]any); len(inner) > 0 {
			out = append(out, "`"+name+"` "+open+bodyFields(p)+close)
		}
	}
	return strings.Join(out, "; ")
}

// bodyFields lists a body schema's members, required ones first.
func bodyFields(schema map[string]any) string {
	required := map[string]bool{}
	for _, r := range asStrings(schema["required"]) {
		required[r] = true
	}
	props, _ := schema["properties"].(map[string]any)
	var req, opt []string
	for name := range props {
		if required[name] {
			req = append(req, "`"+name+"`")
		} else {
			opt = append(opt, "`"+name+"`")
		}
	}
	sort.Strings(req)
	sort.Strings(opt)
	switch {
	case len(req) > 0 && len(opt) > 0:
		return fmt.Sprintf("%s required; %s optional", strings.Join(req, ", "), strings.Join(opt, ", "))
	case len(req) > 0:
		return fmt.Sprintf("%s required", strings.Join(req, ", "))
	}
	return fmt.Sprintf("%s optional", strings.Join(opt, ", "))
}

// TestGuideNamesEveryEventAndPrefix: the guide's events table names every
// event type a webhook endpoint may ask for, and its list of id prefixes
// every prefix an id pattern of the contract has.
func TestGuideNamesEveryEventAndPrefix(t *testing.T) {
	b, err := os.ReadFile(guidePath)
	if err != nil {
		t.Fatal(err)
	}
	guide := string(b)
	i, j := strings.Index(guide, "## Events and webhooks"), strings.Index(guide, "An event is")
	if i < 0 || j < i {
		t.Fatal("docs/api.md has no events table under ## Events and webhooks")
	}
	events := guide[i:j]
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Items struct {
						Enum []string `json:"enum"`
					} `json:"items"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	types := doc.Components.Schemas["WebhookEndpoint"].Properties["events"].Items.Enum
	if len(types) == 0 {
		t.Fatal("WebhookEndpoint.events lists no event types")
	}
	for _, typ := range types {
		if typ != "*" && !strings.Contains(events, "`"+typ+"`") {
			t.Errorf("docs/api.md's events table lacks `%s`", typ)
		}
	}
	k := strings.Index(guide, "- **Ids** are")
	ids := guide[k : k+strings.Index(guide[k:], "\n- ")]
	for _, m := range regexp.MustCompile(`"pattern": "\^([a-z]+_)`).FindAllStringSubmatch(string(raw), -1) {
		if !strings.Contains(ids, "`"+m[1]+"`") {
			t.Errorf("docs/api.md's list of id prefixes lacks `%s`", m[1])
		}
	}
}
