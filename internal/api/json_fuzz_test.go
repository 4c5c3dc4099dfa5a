package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/openflex/openflex"
)

// FuzzDecodeJSON checks the one request decoder against any bytes: it never
// panics, refuses with a 400 code of the API, and whatever it accepts is
// valid UTF-8 without repeated names that a lenient reader (encoding/json
// v1, which a proxy or a merchant's tooling may use) reads the same way.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `"x"`,
		`{"account_number":"12345678901234","amount":120000,"currency":"CAD","store_id":"str_1","channel":"online"}`,
		`{"amount":100,"amount":88}`,
		`{"ACCOUNT_NUMBER":"1","AMOUNT":77,"Store_Id":"s"}`,
		`{"amount":1,"Amount":2}`,
		"{\"reference\":\"a\xff\"}",
		`{"reference":"\ud800"}`,
		`{"financing":{"plan_id":"p","plan_id":"q"}}`,
		`{"items":[{"sku":"a","quantity":1,"unit_price":5,"extra":1}]}`,
		`{"metadata":{"0":"a","0":"b"}}`,
		`{"metadata":{"k":"v"}} {}`,
		`{"amount":1e2}`, `{"amount":-0}`, `{"amount":99999999999999999999}`,
		`{"verification":{"id":"v","code":"1"},"verification":null}`,
		`{"taxes":{"gst_hst":1,"pst":2}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got authorizationIn
		err := decodeJSON(body, &got)
		if err != nil {
			var e *openflex.Error
			if !errors.As(err, &e) || codeInfo[e.Code].status != 400 {
				t.Fatalf("decodeJSON(%q) = %v, want a 400 *openflex.Error", body, err)
			}
			// A member's fault names the member (whose name may be "").
			if e.Code != openflex.CodeBodyInvalidJSON && (len(e.Fields) != 1 || e.Fields[0].Param != e.Param) {
				t.Fatalf("decodeJSON(%q) = %v: a member's fault must name the member", body, err)
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("decodeJSON accepted invalid UTF-8 %q", body)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return // an empty body is {}
		}
		// The default jsontext options refuse duplicate names and invalid UTF-8.
		dec := jsontext.NewDecoder(bytes.NewReader(body))
		for {
			if _, err := dec.ReadToken(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("decodeJSON accepted %q that jsontext refuses: %v", body, err)
			}
		}
		var lenient authorizationIn
		{
			if err := json.Unmarshal(body, &lenient); err != nil {
				t.Fatalf("decodeJSON accepted %q, encoding/json refuses it: %v", body, err)
			}
		}
		if !reflect.DeepEqual(got, lenient) {
			t.Fatalf("decodeJSON(%q) = %+v, encoding/json reads %+v", body, got, lenient)
		}
	})
}
