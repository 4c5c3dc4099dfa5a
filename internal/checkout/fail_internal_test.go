package checkout

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/openflex/openflex"
)

// TestFailStatus: a shopper's page that fails because the database is out
// of reach (a failover) answers 503 with Retry-After — their next click
// works — not a 500; and such an error is never shown as a field error.
// The store names a lost connection unavailable (sqlstore's TestDomainErr);
// the pages map the code alone.
func TestFailStatus(t *testing.T) {
	lost := fmt.Errorf("select: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	unavailable := &openflex.Error{Code: openflex.CodeUnavailable, Cause: lost, Message: "the database is unavailable"}
	tests := []struct {
		name       string
		err        error
		status     int
		retryAfter bool
	}{
		{"unavailable error", unavailable, http.StatusServiceUnavailable, true},
		{"bug", errors.New("boom"), http.StatusInternalServerError, false},
	}
	p := &Pages{Logger: slog.New(slog.DiscardHandler)}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			p.fail(w, httptest.NewRequest(http.MethodPost, "/checkout/x/apply", nil), tc.err)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if got := w.Header().Get("Retry-After") != ""; got != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", w.Header().Get("Retry-After"), tc.retryAfter)
			}
		})
	}
	if fe, ok := fieldErrors(unavailable, "en"); ok {
		t.Errorf("an unavailable database shown as field errors %v", fe)
	}
}
