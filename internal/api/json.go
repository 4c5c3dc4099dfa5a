package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

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

// readJSON reads the request body and decodes it strictly into v; the body
// is returned for the idempotency fingerprint.
func readJSON(r *http.Request, v any) ([]byte, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return body, decodeJSON(body, v)
}

// decodeJSON decodes body into v strictly, so that every reader of the
// same bytes (a proxy, a WAF, the merchant's own logs) sees the same
// request the server acts on: member names match exactly (no case folding),
// a repeated name, an unknown member, invalid UTF-8, trailing data and a
// wrong type are each refused with the JSON path of the member at fault.
// An empty body decodes as {}; any other body must be a JSON object, and
// null is refused wherever it appears (no request member is nullable, and
// a null read as "left out" would turn {"amount":null} into "all of it").
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	t := reflect.TypeOf(v)
	err := jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true), jsonv2.MatchCaseInsensitiveNames(false))
	if err == nil {
		return refuseNull(body, t)
	}
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &syn) && errors.Is(err, jsontext.ErrDuplicateName):
		name := jsonPath(syn.JSONPointer, t)
		return fieldErr(openflex.CodeDuplicateParameter, name, fmt.Sprintf("parameter %q appears more than once", name))
	case errors.As(err, &syn) && !utf8.Valid(body):
		if name := jsonPath(syn.JSONPointer, t); name != "" {
			return fieldErr(openflex.CodeBodyInvalidJSON, name, fmt.Sprintf("%s is not valid UTF-8", name))
		}
		return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body is not valid UTF-8")
	case errors.As(err, &syn) && len(syn.JSONPointer) > 0 && !errors.Is(err, io.ErrUnexpectedEOF):
		// A bad escape, a lone surrogate: the member at fault is known
		// (a body cut short is the whole body's fault).
		name := jsonPath(syn.JSONPointer, t)
		return fieldErr(openflex.CodeBodyInvalidJSON, name, fmt.Sprintf("%s is not valid JSON (%v)", name, syn.Err))
	case errors.As(err, &syn):
		return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body is not valid JSON or holds more than one JSON value")
	case errors.As(err, &sem) && errors.Is(err, jsonv2.ErrUnknownName):
		name := jsonPath(sem.JSONPointer, t)
		return fieldErr(openflex.CodeUnknownParameter, name, fmt.Sprintf("unknown parameter %q", name))
	case errors.As(err, &sem) && len(sem.JSONPointer) > 0:
		name := jsonPath(sem.JSONPointer, t)
		return fieldErr(openflex.CodeParameterInvalid, name, fmt.Sprintf("%s must be %s", name, describeType(sem.GoType)))
	case errors.As(err, &sem):
		return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body must be a JSON object")
	}
	return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body is not valid JSON")
}

// refuseNull finds the first null in a body that decoded and names it:
// the whole body null is not the documented object, a member null is an
// invalid value of that member.
func refuseNull(body []byte, t reflect.Type) error {
	if !bytes.Contains(body, []byte("null")) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil // it decoded, so this is the end of the value
		}
		if tok.Kind() != 'n' {
			continue
		}
		name := jsonPath(dec.StackPointer(), t)
		if name == "" {
			return openflex.Errorf(openflex.CodeBodyInvalidJSON, "the request body must be a JSON object")
		}
		return fieldErr(openflex.CodeParameterInvalid, name, fmt.Sprintf("%s must not be null: leave it out instead", name))
	}
}

// optionalAmount checks an amount that may be left out (0 then): one that
// is sent must be a real amount, so {"amount":0} is refused rather than
// read as "all of it".
func optionalAmount(param string, v *int64) (int64, error) {
	if v == nil {
		return 0, nil
	}
	if fe := openflex.CheckAmount(param, *v, false); fe != nil {
		return 0, (&openflex.Problems{*fe}).Err()
	}
	return *v, nil
}

func fieldErr(code openflex.Code, param, msg string) error {
	fe := openflex.FieldError{Param: param, Code: code, Message: msg}
	return &openflex.Error{Code: code, Param: param, Message: msg, Fields: []openflex.FieldError{fe}}
}

// jsonPath spells a JSON pointer the way the API names parameters
// ("applicant.address.postal_code", "items[0].sku"), walking the Go type
// alongside so an array index and a metadata key that looks like a number
// are told apart.
func jsonPath(p jsontext.Pointer, t reflect.Type) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			b.WriteString("[" + tok + "]")
			t = t.Elem()
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
		switch {
		case t == nil:
		case t.Kind() == reflect.Map:
			t = t.Elem()
		case t.Kind() == reflect.Struct:
			t = fieldType(t, tok)
		default:
			t = nil
		}
	}
	return b.String()
}

// fieldType is the type of t's field named name in JSON, nil if none.
func fieldType(t reflect.Type, name string) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && f.Name == name) {
			return f.Type
		}
	}
	return nil
}

func describeType(t reflect.Type) string {
	if t == nil {
		return "of another type"
	}
	switch t.Kind() {
	case reflect.Int64, reflect.Int, reflect.Int32:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return describeType(t.Elem())
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
