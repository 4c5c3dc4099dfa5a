package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/openflex/openflex"
)

// TestDomainErr: what leaves the store is the domain's language — a
// database out of reach is unavailable (the cause kept for the log), and
// everything else passes unchanged.
func TestDomainErr(t *testing.T) {
	lost := fmt.Errorf("select: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	notFound := openflex.NotFound("account", "1")
	tests := []struct {
		name string
		in   error
		want openflex.Code
	}{
		{"lost connection", lost, openflex.CodeUnavailable},
		{"refused", syscall.ECONNREFUSED, openflex.CodeUnavailable},
		{"no rows stays for the store to name", sql.ErrNoRows, openflex.CodeInternal},
		{"a domain error passes", notFound, openflex.CodeResourceMissing},
		{"a duplicate is a conflict", ErrDuplicate, openflex.CodeConflict},
		{"anything else", errors.New("syntax error"), openflex.CodeInternal},
		{"nil", nil, ""},
	}
	for _, tc := range tests {
		got := domainErr(tc.in)
		if openflex.ErrorCode(got) != tc.want {
			t.Errorf("%s: domainErr(%v) code = %q, want %q", tc.name, tc.in, openflex.ErrorCode(got), tc.want)
		}
		if tc.in != nil && !errors.Is(got, tc.in) {
			t.Errorf("%s: domainErr(%v) lost its cause", tc.name, tc.in)
		}
	}
}
