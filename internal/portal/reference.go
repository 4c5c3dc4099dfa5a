package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/openflex/openflex/internal/web"
)

// The API reference is rendered on the server from the OpenAPI document:
// no external script, nothing for the Content-Security-Policy to allow.

type reference struct {
	Title, Version, Description string
	Groups                      []refGroup
}

type refGroup struct {
	Anchor, Tag, Description string
	Ops                      []refOp
}

type refOp struct {
	Anchor, Method, Path, Summary, Description string
	Params                                     []refParam
	BodySchema, Example                        string
	Responses                                  []refResponse
}

type refParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type refResponse struct{ Status, Description string }

// The parts of OpenAPI 3.1 the reference shows.
type oaDoc struct {
	Info struct {
		Title, Version, Description string
	}
	Tags []struct {
		Name, Description string
	}
	Paths      map[string]map[string]json.RawMessage
	Components struct {
		Parameters map[string]oaParam
		Responses  map[string]struct{ Description string }
	}
}

type oaOp struct {
	OperationID string `json:"operationId"`
	Summary     string
	Description string
	Tags        []string
	Parameters  []oaParam
	RequestBody *struct {
		Content map[string]struct {
			Schema struct {
				Ref string `json:"$ref"`
			}
			Example json.RawMessage
		}
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref         string `json:"$ref"`
		Description string
	}
}

type oaParam struct {
	Ref         string `json:"$ref"`
	Name        string
	In          string
	Description string
	Required    bool
	Schema      struct{ Type any }
}

var methodOrder = []string{"get", "post", "put", "patch", "delete"}

// parseReference reads the document once at start-up. A document that
// does not parse is logged and the page says the reference is missing.
func parseReference(doc []byte, log *slog.Logger) *reference {
	if len(doc) == 0 {
		return nil
	}
	var d oaDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		log.Error("portal: the OpenAPI document does not parse; the API reference page is empty", "err", err)
		return nil
	}
	ref := &reference{Title: d.Info.Title, Version: d.Info.Version, Description: d.Info.Description}
	groups := map[string]*refGroup{}
	for _, t := range d.Tags {
		ref.Groups = append(ref.Groups, refGroup{Anchor: slug("tag " + t.Name), Tag: t.Name, Description: t.Description})
	}
	for i := range ref.Groups {
		groups[ref.Groups[i].Tag] = &ref.Groups[i]
	}
	var other refGroup
	paths := make([]string, 0, len(d.Paths))
	for path := range d.Paths {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		item := d.Paths[path]
		var shared []oaParam
		if raw, ok := item["parameters"]; ok {
			json.Unmarshal(raw, &shared)
		}
		for _, method := range methodOrder {
			raw, ok := item[method]
			if !ok {
				continue
			}
			var op oaOp
			if err := json.Unmarshal(raw, &op); err != nil {
				log.Error("portal: skipping an OpenAPI operation that does not parse", "path", path, "method", method, "err", err)
				continue
			}
			g := &other
			if len(op.Tags) > 0 && groups[op.Tags[0]] != nil {
				g = groups[op.Tags[0]]
			}
			g.Ops = append(g.Ops, d.operation(method, path, op, shared))
		}
	}
	if len(other.Ops) > 0 {
		other.Anchor, other.Tag = "tag-other", "Other"
		ref.Groups = append(ref.Groups, other)
	}
	return ref
}

func (d *oaDoc) operation(method, path string, op oaOp, shared []oaParam) refOp {
	out := refOp{Anchor: op.OperationID, Method: strings.ToUpper(method), Path: path, Summary: op.Summary, Description: op.Description}
	if out.Anchor == "" {
		out.Anchor = slug(method + " " + path)
	}
	for _, prm := range append(append([]oaParam(nil), shared...), op.Parameters...) {
		if name, ok := strings.CutPrefix(prm.Ref, "#/components/parameters/"); ok {
			prm = d.Components.Parameters[name]
		}
		if prm.Name == "" {
			continue
		}
		typ := ""
		if prm.Schema.Type != nil {
			typ = fmt.Sprint(prm.Schema.Type)
		}
		out.Params = append(out.Params, refParam{Name: prm.Name, In: prm.In, Type: typ, Description: prm.Description, Required: prm.Required})
	}
	if op.RequestBody != nil {
		for _, c := range op.RequestBody.Content {
			out.BodySchema = strings.TrimPrefix(c.Schema.Ref, "#/components/schemas/")
			var buf bytes.Buffer
			if len(c.Example) > 0 && json.Indent(&buf, c.Example, "", "  ") == nil {
				out.Example = buf.String()
			}
		}
	}
	codes := make([]string, 0, len(op.Responses))
	for code := range op.Responses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		resp := op.Responses[code]
		desc := resp.Description
		if name, ok := strings.CutPrefix(resp.Ref, "#/components/responses/"); ok {
			desc = d.Components.Responses[name].Description
		}
		out.Responses = append(out.Responses, refResponse{Status: code, Description: desc})
	}
	return out
}

func (p *Portal) reference(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	pg.Title, pg.Nav = "reference.title", "reference"
	ref := p.ref
	if pg.Lang == "fr" {
		ref = p.refFR
	}
	p.Render(w, pg, http.StatusOK, "reference", ref)
	return nil
}

// paramPlaceFR names where a parameter goes, in French.
var paramPlaceFR = map[string]string{"query": "requête", "path": "chemin", "header": "en-tête", "cookie": "témoin"}

// translated returns the reference with its texts in French (referenceFR).
// A text without its French stays English, and missing reports it (the
// tests require none).
func (ref *reference) translated() (fr *reference, missing []string) {
	if ref == nil {
		return nil, nil
	}
	tr := func(s string) string {
		if s == "" {
			return s
		}
		if f, ok := referenceFR[s]; ok {
			return f
		}
		missing = append(missing, s)
		return s
	}
	out := *ref
	out.Description = tr(ref.Description)
	out.Groups = make([]refGroup, len(ref.Groups))
	for i, g := range ref.Groups {
		if g.Anchor == "tag-other" {
			g.Tag = "Autres"
		} else {
			g.Tag = tr(g.Tag)
		}
		g.Description = tr(g.Description)
		ops := make([]refOp, len(g.Ops))
		for j, op := range g.Ops {
			op.Summary, op.Description = tr(op.Summary), tr(op.Description)
			op.Params = append([]refParam(nil), op.Params...)
			for k := range op.Params {
				op.Params[k].Description = tr(op.Params[k].Description)
				if in, ok := paramPlaceFR[op.Params[k].In]; ok {
					op.Params[k].In = in
				}
			}
			op.Responses = append([]refResponse(nil), op.Responses...)
			for k := range op.Responses {
				op.Responses[k].Description = tr(op.Responses[k].Description)
			}
			ops[j] = op
		}
		g.Ops = ops
		out.Groups[i] = g
	}
	return &out, missing
}

// slug makes an HTML id: lower-case letters, digits and dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
