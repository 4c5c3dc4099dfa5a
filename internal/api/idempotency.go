package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/openflex/openflex"
)

// writeOp is the effect of one retry-safe POST.
type writeOp struct {
	// Prepare, when set, runs once the key is claimed and outside the
	// write transaction (a bureau call, a verification code check).
	Prepare func(ctx context.Context) error
	// Effect runs in the data plane's write transaction and returns the
	// status and the object to encode.
	Effect func(ctx context.Context) (int, any, error)
}

// idempotent is the one runner of every retry-safe POST of the API, so a
// handler is decode → idempotent → encode: the Idempotency-Key (when sent)
// is claimed, op runs, the response it renders is stored in the effect's
// own transaction, and retries replay it with Idempotent-Replayed: true.
// A failure is stored only when it is the request's final answer
// (finalError): a corrected retry of a refused request runs again.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, body []byte, op writeOp) error {
	prepare, do := op.Prepare, op.Effect
	p := principalOf(r.Context())
	run := func(ctx context.Context) (openflex.StoredResponse, error) {
		status, v, err := do(ctx)
		if err != nil {
			return openflex.StoredResponse{}, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return openflex.StoredResponse{}, err
		}
		return openflex.StoredResponse{Status: status, Body: append(b, '\n')}, nil
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		if prepare != nil {
			if err := prepare(r.Context()); err != nil {
				return err
			}
		}
		var resp openflex.StoredResponse
		err := p.Data.Write(r.Context(), func(ctx context.Context) error {
			var err error
			resp, err = run(ctx)
			return err
		})
		if err != nil {
			return err
		}
		writeRaw(w, resp.Status, resp.Body)
		return nil
	}
	if !openflex.ValidIdempotencyKey(key) {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "Idempotency-Key", Message: "Idempotency-Key must be 1 to 255 printable ASCII characters"}
	}
	req := openflex.IdempotentRequest{
		MerchantID: p.MerchantID, Key: key, Method: r.Method, Path: r.URL.Path,
		Hash: openflex.FingerprintRequest(r.Method, r.URL.RequestURI(), canonicalJSON(body)),
	}
	keep := func(err error) (openflex.StoredResponse, bool) {
		if !finalError(err) {
			return openflex.StoredResponse{}, false
		}
		status, eb := renderError(err, requestID(r.Context()), wantsFrench(r))
		b, _ := json.Marshal(eb)
		return openflex.StoredResponse{Status: status, Body: append(b, '\n')}, true
	}
	resp, replayed, err := p.Data.Idempotent(r.Context(), req, prepare, run, keep)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeRaw(w, resp.Status, resp.Body)
	return nil
}

// canonicalJSON is what a retry must repeat: the body's meaning, not its
// bytes. Clients re-serialize on retry, so whitespace, member order and
// number spelling (30000, 3e4) do not make another request (RFC 8785).
// An empty body means {}. The body has already been decoded strictly, so
// it is valid JSON; anything else is fingerprinted as sent.
func canonicalJSON(body []byte) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte("{}")
	}
	v := jsontext.Value(bytes.Clone(body))
	if err := v.Canonicalize(); err != nil {
		return body
	}
	return v
}

// finalError reports whether a failure is the answer to keep for the key:
// a business refusal is, while validation errors (any 400: the client fixes
// the body or its configuration, such as its Trust URLs, and retries),
// idempotency conflicts and internal or availability errors (the client
// retries as is) are not.
func finalError(err error) bool {
	code := openflex.ErrorCode(err)
	if info, ok := codeInfo[code]; ok && info.status == http.StatusBadRequest {
		return false
	}
	switch code {
	case openflex.CodeParameterMissing, openflex.CodeParameterInvalid, openflex.CodeUnknownParameter,
		openflex.CodeBodyInvalidJSON, openflex.CodeBodyTooLarge, openflex.CodeIdempotencyInUse,
		openflex.CodeIdempotencyReused, openflex.CodeInternal, openflex.CodeBureauUnavailable,
		openflex.CodeUnavailable, openflex.CodeRateLimited:
		return false
	case openflex.CodeConsentRequired:
		// The merchant gets the customer's proof and retries with the same key.
		return false
	}
	return true
}
