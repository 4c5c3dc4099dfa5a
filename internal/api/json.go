package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/openflex/openflex"
)

// maxBody is the largest request body accepted (API.md: 1 MiB).
const maxBody = 1 << 20

// readBody reads at most maxBody bytes; more is body_too_large.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body could not be read")
	}
	if len(b) > maxBody {
		return nil, openflex.Errorf(openflex.CodeBodyTooLarge, "the request body is larger than 1 MiB")
	}
	return b, nil
}

// decodeJSON decodes body into v, refusing unknown fields, trailing data and
// wrong types with the codes of API.md. An empty body decodes as {}.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body must hold exactly one JSON object")
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body must be a JSON object")
		}
		fe := openflex.FieldError{Param: typeErr.Field, Code: openflex.CodeParameterInvalid,
			Message: fmt.Sprintf("%s must be %s", typeErr.Field, describeType(typeErr.Type.Kind().String()))}
		return &openflex.Error{Code: fe.Code, Param: fe.Param, Message: fe.Message, Fields: []openflex.FieldError{fe}}
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		var raw any
		if json.Unmarshal(body, &raw) == nil {
			if path := unknownPath(raw, reflect.TypeOf(v), ""); path != "" {
				name = path
			}
		}
		fe := openflex.FieldError{Param: name, Code: openflex.CodeUnknownParameter, Message: fmt.Sprintf("unknown parameter %q", name)}
		return &openflex.Error{Code: fe.Code, Param: fe.Param, Message: fe.Message, Fields: []openflex.FieldError{fe}}
	}
	return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body is not valid JSON")
}

func describeType(kind string) string {
	switch kind {
	case "int64", "int", "int32":
		return "a whole number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "of another type"
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"type":"api_error","code":"internal_error","message":"internal error"}}`)
	}
	writeRaw(w, status, append(b, '\n'))
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// unknownPath finds the full JSON path of the first field of raw that type
// t does not have ("applicant.address.postcode"), since encoding/json names
// only the bare key.
func unknownPath(raw any, t reflect.Type, prefix string) string {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
		if t.Kind() == reflect.Slice {
			items, ok := raw.([]any)
			if !ok {
				return ""
			}
			for i, it := range items {
				if p := unknownPath(it, t.Elem(), fmt.Sprintf("%s[%d]", prefix, i)); p != "" {
					return p
				}
			}
			return ""
		}
		t = t.Elem()
	}
	obj, ok := raw.(map[string]any)
	if !ok || t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		fields[strings.ToLower(name)] = f.Type
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		ft, ok := fields[strings.ToLower(k)]
		if !ok {
			return path
		}
		if ft.Kind() == reflect.Map {
			continue
		}
		if p := unknownPath(obj[k], ft, path); p != "" {
			return p
		}
	}
	return ""
}
