package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/openflex/openflex"
)

// TestFailStatus: the error page's status says whose problem it is. A
// database out of reach (a failover) is 503 with Retry-After and words
// saying nothing changed — never a 500 that sends users to support, nor a
// 400 that blames them.
func TestFailStatus(t *testing.T) {
	lost := fmt.Errorf("select: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	tests := []struct {
		name       string
		err        error
		status     int
		retryAfter bool
		text       string
	}{
		{"lost connection", lost, http.StatusServiceUnavailable, true, "unavailable for a moment"},
		{"unavailable error", &openflex.Error{Code: openflex.CodeUnavailable, Cause: lost, Message: "the database is unavailable"},
			http.StatusServiceUnavailable, true, "unavailable for a moment"},
		{"not found", openflex.NotFound("store", "str_x"), http.StatusNotFound, false, ""},
		{"user's mistake", &openflex.Error{Code: openflex.CodeParameterInvalid, Message: "amount must be positive"},
			http.StatusBadRequest, false, "amount must be positive"},
		{"bug", errors.New("boom"), http.StatusInternalServerError, false, "internal error"},
	}
	p := New(Config{Control: struct{ Store }{}, Logger: slog.New(slog.DiscardHandler)}) // the error page reads no storage
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/portal/", nil)
			p.Fail(w, r, &Page{Lang: "en", t: p.translator("en"), Form: &Form{}}, tc.err)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if got := w.Header().Get("Retry-After") != ""; got != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", w.Header().Get("Retry-After"), tc.retryAfter)
			}
			if !strings.Contains(w.Body.String(), tc.text) {
				t.Errorf("page does not say %q", tc.text)
			}
		})
	}
}
