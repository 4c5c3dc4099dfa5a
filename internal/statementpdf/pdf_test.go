package statementpdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/statementpdf"
)

// statement is the notes' example 2 (a $500 purchase, $100 paid) with an
// equal-payment plan beside it, through the first statement.
func statement(t *testing.T, lang string) *servicing.Statement {
	t.Helper()
	d := servicing.D
	cfg := servicing.DefaultConfig()
	a, err := servicing.Open(cfg, servicing.Opening{Number: "30000000000017", Province: "QC", Language: lang,
		Opened: d(2025, 3, 1), CreditLimit: 5_000_00, Rate: 29_990})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Purchase(servicing.Purchase{ID: "cap_1", Date: d(2025, 3, 1), Amount: 500_00, Merchant: "Ébénisterie Côté", Store: "Montréal",
		Description: "Fauteuil", Terms: finance.Terms{Category: finance.Regular, AnnualRate: 29_990}}); err != nil {
		t.Fatal(err)
	}
	var st *servicing.Statement
	for a.Day.Before(d(2025, 4, 1)) {
		if a.Day == d(2025, 3, 25) {
			if _, err := a.Pay(servicing.Payment{ID: "pay_1", Date: a.Day, Amount: 100_00, Channel: "bank"}); err != nil {
				t.Fatal(err)
			}
		}
		r, err := a.EndDay(a.OpenDay())
		if err != nil {
			t.Fatal(err)
		}
		if r.Statement != nil {
			st = r.Statement
		}
	}
	if st == nil {
		t.Fatal("no statement through March")
	}
	return st
}

// pdfText is the PDF's text as poppler's pdftotext reads it, in layout
// order.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (Debian poppler-utils) is needed to read the statement back; scripts/test installs it")
	}
	f := filepath.Join(t.TempDir(), "statement.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestStatementPDF: every line of the rendered statement is in the PDF's
// text, in order, accents and all, in English and French.
func TestStatementPDF(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			st := statement(t, lang)
			var buf bytes.Buffer
			if err := statementpdf.Write(&buf, st); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", buf.Bytes()[:min(8, buf.Len())])
			}
			got := squash(pdfText(t, buf.Bytes()))
			at := 0
			for _, line := range strings.Split(servicing.Render(st), "\n") {
				want := squash(line)
				if want == "" {
					continue
				}
				i := strings.Index(got[at:], want)
				if i < 0 {
					t.Fatalf("the PDF's text lacks, after what came before, %q\nPDF text:\n%s", want, got)
				}
				at += i + len(want)
			}
			for _, w := range map[string][]string{
				"en": {"Statement", "$400.00", "$20.00", "Ébénisterie Côté", "Page 1/"},
				"fr": {"Relevé de compte", "400,00 $", "20,00 $", "Ébénisterie Côté", "Date d’échéance du paiement", "Page 1/"},
			}[lang] {
				if !strings.Contains(got, squash(w)) {
					t.Errorf("the PDF's text lacks %q", w)
				}
			}
		})
	}
}

// squash folds runs of white space (and no-break spaces) to one space:
// layouts differ in spacing, never in words.
func squash(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}
