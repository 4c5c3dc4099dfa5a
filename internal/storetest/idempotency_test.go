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
