package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/openflex/openflex"
)

// queryParams reads, from the OpenAPI document, the query parameters each
// operation takes, keyed by its route pattern ("GET /v1/stores/{id}"): the
// document is the one list of what a request may carry.
func queryParams(doc []byte) (map[string]map[string]bool, error) {
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				In   string `json:"in"`
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	type param struct {
		Ref  string `json:"$ref"`
		In   string `json:"in"`
		Name string `json:"name"`
	}
	out := map[string]map[string]bool{}
	for path, item := range d.Paths {
		var shared []param
		if raw, ok := item["parameters"]; ok {
			json.Unmarshal(raw, &shared)
		}
		for method, raw := range item {
			var op struct {
				Parameters []param `json:"parameters"`
			}
			if method == "parameters" || json.Unmarshal(raw, &op) != nil {
				continue
			}
			names := map[string]bool{}
			for _, p := range append(slices.Clone(shared), op.Parameters...) {
				if p.Ref != "" {
					c := d.Components.Parameters[p.Ref[strings.LastIndex(p.Ref, "/")+1:]]
					p.In, p.Name = c.In, c.Name
				}
				if p.In == "query" {
					names[p.Name] = true
				}
			}
			out[strings.ToUpper(method)+" "+path] = names
		}
	}
	return out, nil
}

// checkRequest holds a documented operation's query and headers to the
// standard of its body: a query parameter the operation does not take is
// unknown_parameter, one given twice (?store_id=A&store_id=B, which
// readers resolve differently) or two Idempotency-Key headers are
// duplicate_parameter, and a body declared as anything but JSON is
// unsupported_media_type (415). A body sent without a Content-Type is read
// as JSON.
func (s *Server) checkRequest(r *http.Request) error {
	if n := len(r.Header.Values("Idempotency-Key")); n > 1 {
		return fieldErr(openflex.CodeDuplicateParameter, "Idempotency-Key", "send the Idempotency-Key header once")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && r.ContentLength != 0 {
		mt, params, err := mime.ParseMediaType(ct)
		cs, hasCharset := params["charset"]
		if err != nil || mt != "application/json" || hasCharset && !strings.EqualFold(cs, "utf-8") {
			return openflex.Errorf(openflex.CodeUnsupportedMediaType, "the request body must be JSON, sent as Content-Type: application/json (not %q)", ct)
		}
	}
	allowed, ok := s.query[r.Pattern]
	if !ok || r.URL.RawQuery == "" {
		return nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return openflex.Errorf(openflex.CodeParameterInvalid, "the query string is not valid URL encoding")
	}
	var probs openflex.Problems
	for _, k := range slices.Sorted(maps.Keys(q)) {
		switch {
		case !allowed[k]:
			probs = append(probs, openflex.FieldError{Param: k, Code: openflex.CodeUnknownParameter, Message: fmt.Sprintf("unknown parameter %q", k)})
		case len(q[k]) > 1:
			probs = append(probs, openflex.FieldError{Param: k, Code: openflex.CodeDuplicateParameter, Message: fmt.Sprintf("parameter %q appears more than once", k)})
		}
	}
	return probs.Err()
}
