package dberr

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

type stateErr string

func (s stateErr) Error() string    { return "server said " + string(s) }
func (s stateErr) SQLState() string { return string(s) }

type closedErr struct{}

func (closedErr) Error() string     { return "conn closed" }
func (closedErr) SafeToRetry() bool { return true }

func TestUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("no such row"), false},
		{"read only", fmt.Errorf("insert: %w", stateErr("25006")), true},
		{"admin shutdown", stateErr("57P01"), true},
		{"recovery mode", stateErr("57P03"), true},
		{"connection failure", stateErr("08006"), true},
		{"serialization", stateErr("40001"), true},
		{"unique violation", stateErr("23505"), false},
		{"check violation", stateErr("23514"), false},
		{"syntax", stateErr("42601"), false},
		{"bad conn", fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{"eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("write: %w", syscall.ECONNRESET), true},
		{"conn closed", fmt.Errorf("begin: %w", closedErr{}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Unavailable(tt.err); got != tt.want {
				t.Fatalf("Unavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
