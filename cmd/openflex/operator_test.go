package main

import (
	"os/user"
	"testing"
)

// TestOperatorWithoutUSER: a staff action run where $USER is not set (a
// container, a service) is recorded under the process's user, not refused
// with "staff is required".
func TestOperatorWithoutUSER(t *testing.T) {
	t.Setenv("USER", "")
	u, err := user.Current()
	if err != nil {
		t.Skipf("no current user here: %v", err)
	}
	if got := operator(); got != u.Username || got == "" {
		t.Errorf("operator() = %q, want %q", got, u.Username)
	}
	t.Setenv("USER", "alice")
	if got := operator(); got != "alice" {
		t.Errorf("operator() with USER=alice = %q", got)
	}
}
