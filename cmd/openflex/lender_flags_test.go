package main

import (
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/servicing"
)

// TestLenderFlags: the lender's identity comes from --lender-* flags or
// their OPENFLEX_LENDER_* variables, the demo lender fills what neither
// gives, and a lender without a way to reach it does not start.
func TestLenderFlags(t *testing.T) {
	t.Setenv("OPENFLEX_LENDER_EMAIL", "aide@erable.example")
	t.Setenv("OPENFLEX_LENDER_NAME", "ignored: the flag wins")
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	lenderFlags(&c, fs)
	if err := parse(fs, []string{"--lender-name", "Prêts Érable inc.", "--lender-address", "500 rue Sainte-Catherine O, Montréal QC H3B 1A6"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := servicing.Lender{Name: "Prêts Érable inc.", Phone: servicing.DefaultLender.Phone, Email: "aide@erable.example",
		Address: "500 rue Sainte-Catherine O, Montréal QC H3B 1A6", Website: servicing.DefaultLender.Website}
	if c.Lender != want {
		t.Errorf("Lender = %+v, want %+v", c.Lender, want)
	}
	sc, err := c.Servicing()
	if err != nil || sc.Lender.DisputeDays != servicing.DefaultLender.DisputeDays || sc.Lender.Name != want.Name {
		t.Errorf("Servicing() = %+v, %v; want the lender with the default dispute days", sc.Lender, err)
	}

	c.Lender.Email = ""
	if _, err := c.Servicing(); err == nil || !strings.Contains(err.Error(), "--lender-email") {
		t.Errorf("a lender without an email: Servicing() = %v, want an error naming --lender-email", err)
	}
	var none Config
	if sc, err := none.Servicing(); err != nil || sc.Lender != servicing.DefaultLender {
		t.Errorf("no lender configured: %+v, %v; want the demo lender", sc.Lender, err)
	}
}
