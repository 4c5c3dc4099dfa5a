package storetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/sqlstore"
)

// TestStoredResponsesAreSealed: a replayable response can hold what must
// not sit in clear at rest (a hosted checkout's URL token), so it is
// sealed; the replay still returns it byte for byte.
func TestStoredResponsesAreSealed(t *testing.T) {
	e := Engines(t)[0] // the byte-level scan reads SQLite's files
	cfg := e.Config(t)
	s, err := sqlstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := s.Data(openflex.Training)
	ctx := context.Background()
	req := openflex.IdempotentRequest{MerchantID: "mer_x", Key: "k1", Method: "POST", Path: "/v1/checkouts",
		Hash: openflex.FingerprintRequest("POST", "/v1/checkouts", []byte("{}"))}
	body := []byte(`{"url":"https://openflex.example/checkout/train_SENSITIVE-TOKEN-MARKER"}`)
	do := func(ctx context.Context) (openflex.StoredResponse, error) {
		return openflex.StoredResponse{Status: 201, Body: body}, nil
	}
	keep := func(error) (openflex.StoredResponse, bool) { return openflex.StoredResponse{}, false }
	if _, _, err := db.Idempotent(ctx, req, nil, do, keep); err != nil {
		t.Fatal(err)
	}
	replay, replayed, err := db.Idempotent(ctx, req, nil, do, keep)
	if err != nil || !replayed || string(replay.Body) != string(body) {
		t.Fatalf("replay = %q, %v, %v", replay.Body, replayed, err)
	}
	s.Close()
	files, _ := filepath.Glob(filepath.Join(cfg.DataDir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "SENSITIVE-TOKEN-MARKER") {
			t.Fatalf("%s holds a stored response in clear", filepath.Base(f))
		}
	}
}

// TestOneTransactionIdempotency covers the single-transaction path (no
// prepare step): what is kept for a key after a success, a final refusal
// and a failure that is not final, and a key reused for another request.
func TestOneTransactionIdempotency(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Training)
		ctx := context.Background()
		declined := openflex.Errorf(openflex.CodeInsufficientCred, "declined")
		invalid := openflex.Errorf(openflex.CodeParameterInvalid, "bad")
		keep := func(err error) (openflex.StoredResponse, bool) {
			if openflex.ErrorCode(err) == openflex.CodeInsufficientCred {
				return openflex.StoredResponse{Status: 402, Body: []byte("declined")}, true
			}
			return openflex.StoredResponse{}, false
		}
		req := func(key, body string) openflex.IdempotentRequest {
			return openflex.IdempotentRequest{MerchantID: "mer_x", Key: key, Method: "POST", Path: "/v1/x",
				Hash: openflex.FingerprintRequest("POST", "/v1/x", []byte(body))}
		}
		runs := 0
		answer := func(err error) func(ctx context.Context) (openflex.StoredResponse, error) {
			return func(ctx context.Context) (openflex.StoredResponse, error) {
				runs++
				return openflex.StoredResponse{Status: 201, Body: []byte("ok")}, err
			}
		}
		tests := []struct {
			name, key, body string
			effect          error
			wantRuns        int
			wantBody        string
			wantReplayed    bool
			wantCode        openflex.Code
		}{
			{"first success runs", "a", "1", nil, 1, "ok", false, ""},
			{"retry replays", "a", "1", nil, 0, "ok", true, ""},
			{"other request with the key is refused", "a", "2", nil, 0, "", false, openflex.CodeIdempotencyReused},
			{"final refusal is returned", "b", "1", declined, 1, "", false, openflex.CodeInsufficientCred},
			{"final refusal replays", "b", "1", nil, 0, "declined", true, ""},
			{"invalid request keeps nothing", "c", "1", invalid, 1, "", false, openflex.CodeParameterInvalid},
			{"corrected retry runs", "c", "1", nil, 1, "ok", false, ""},
		}
		for _, tc := range tests {
			runs = 0
			resp, replayed, err := db.Idempotent(ctx, req(tc.key, tc.body), nil, answer(tc.effect), keep)
			if openflex.ErrorCode(err) != tc.wantCode || (tc.wantCode == "" && err != nil) {
				t.Fatalf("%s: err = %v, want code %q", tc.name, err, tc.wantCode)
			}
			if runs != tc.wantRuns || replayed != tc.wantReplayed || (tc.wantBody != "" && string(resp.Body) != tc.wantBody) {
				t.Fatalf("%s: runs %d, replayed %v, body %q", tc.name, runs, replayed, resp.Body)
			}
		}
	})
}
