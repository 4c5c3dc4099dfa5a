package servicing

import (
	"strings"
	"testing"

	"github.com/openflex/openflex"
)

// TestRenderSigns: totals of nothing carry no sign (a customer reads
// "-$0.00" as something owed), others keep theirs.
func TestRenderSigns(t *testing.T) {
	for _, tc := range []struct {
		lang          string
		credits       int64
		want, notWant string
	}{
		{"en", 0, "$0.00\n", "-$0.00"},
		{"fr", 0, " 0,00\u00a0$\n", "-0,00"},
		{"en", 25_00, "-$25.00\n", ""},
		{"fr", 25_00, "-25,00\u00a0$\n", ""},
	} {
		st := &Statement{Language: tc.lang, TotalCredits: tc.credits, TotalDebits: 500_00, Lender: DefaultLender}
		text := Render(st)
		var line string
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, english.totalCredits) || strings.HasPrefix(l, french.totalCredits) {
				line = l + "\n"
			}
		}
		if !strings.HasSuffix(line, tc.want) || tc.notWant != "" && strings.Contains(line, tc.notWant) {
			t.Errorf("%s, credits %d: %q, want it to end in %q", tc.lang, tc.credits, line, tc.want)
		}
	}
}

// TestRenderWordsNotCodes: a statement names a payment's channel and the
// account's status in the customer's words, never the codes the API uses
// ("in_store", "auth_prohibited").
func TestRenderWordsNotCodes(t *testing.T) {
	for _, tc := range []struct {
		lang, channel string
		status        openflex.AccountStatus
		want          []string
	}{
		{"en", "in_store", openflex.AccountAuthProhibited, []string{"Payment, thank you — in store", "purchases paused (payment past due)"}},
		{"fr", "in_store", openflex.AccountAuthProhibited, []string{"Paiement, merci — en magasin", "achats suspendus (paiement en souffrance)"}},
		{"en", "bank", openflex.AccountChargedOff, []string{"Payment, thank you — bank bill payment", "charged off"}},
		{"fr", "cheque", openflex.AccountFrozen, []string{"Paiement, merci — chèque", "gelé"}},
		{"en", "debit", openflex.AccountNormal, []string{"Payment, thank you — pre-authorized debit"}},
		{"fr", "debit", openflex.AccountClosed, []string{"Paiement, merci — débit préautorisé", "fermé"}},
		{"en", "test_helper", openflex.AccountNormal, []string{"Payment, thank you — test payment"}},
	} {
		st := &Statement{Language: tc.lang, Status: tc.status, Lender: DefaultLender,
			Lines: []Line{{Kind: LinePayment, Amount: -10_00, Description: tc.channel}}}
		text := Render(st)
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s, %s, %s: no %q in\n%s", tc.lang, tc.channel, tc.status, w, text)
			}
		}
		for _, code := range []string{"in_store", "test_helper", "auth_prohibited", "charged_off"} {
			if strings.Contains(text, code) {
				t.Errorf("%s: the code %q on the statement:\n%s", tc.lang, code, text)
			}
		}
	}
}

// TestFrenchTypographicApostrophe: the French statement writes
// "d’échéance" with the typographic apostrophe, as the customer's pages
// do, never the typewriter's straight one.
func TestFrenchTypographicApostrophe(t *testing.T) {
	st := &Statement{Language: "fr", Status: openflex.AccountNormal, Lender: DefaultLender,
		Lines: []Line{{Kind: LineFee, Amount: 25_00, Description: feeAdmin}}}
	text := Render(st)
	for _, w := range []string{"Date d’échéance du paiement", "Taux d’intérêt annuels", "Frais d’administration"} {
		if !strings.Contains(text, w) {
			t.Errorf("no %q in\n%s", w, text)
		}
	}
	if i := strings.Index(text, "'"); i >= 0 {
		t.Errorf("a straight apostrophe in the French statement near %q", text[max(0, i-20):min(len(text), i+20)])
	}
}
