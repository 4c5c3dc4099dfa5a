package customer_test

import (
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/servicing"
)

// TestStatusChangedSaysWhatToDo: each move of the standing is told in
// plain words, in the account's language (French with its no-break space
// before a colon), with what the customer can do, and never the whole
// account number. Where the customer may need to call (purchases paused,
// frozen, closed, charged off) it gives the configured lender's phone
// number, never a bare "call us".
func TestStatusChangedSaysWhatToDo(t *testing.T) {
	lender := servicing.Lender{Name: "Prêts Érable inc.", Phone: "1-877-555-0142"}
	for _, tc := range []struct {
		lang     string
		from, to openflex.AccountStatus
		want     []string
	}{
		{"en", openflex.AccountNormal, openflex.AccountAuthProhibited, []string{"Purchases paused", "past-due amount of $24.87", "resume by themselves", "Call us at 1-877-555-0142", "https://x.example/account/"}},
		{"en", openflex.AccountAuthProhibited, openflex.AccountNormal, []string{"back in good standing", "make purchases again"}},
		{"en", openflex.AccountNormal, openflex.AccountFrozen, []string{"Prêts Érable inc. froze", "payments are still due", "call us at 1-877-555-0142"}},
		{"en", openflex.AccountFrozen, openflex.AccountNormal, []string{"unfrozen", "make purchases again"}},
		{"en", openflex.AccountNormal, openflex.AccountClosed, []string{"closed", "no new purchases", "call us at 1-877-555-0142"}},
		{"en", openflex.AccountAuthProhibited, openflex.AccountChargedOff, []string{"charged off", "$510.02 is still owed", "Call us at 1-877-555-0142 to arrange payment"}},
		{"fr", openflex.AccountNormal, openflex.AccountAuthProhibited, []string{"Achats suspendus", "en souffrance\u00a0:", "24,87\u00a0$", "d’eux-mêmes", "Des questions\u00a0? Appelez-nous au 1-877-555-0142"}},
		{"fr", openflex.AccountAuthProhibited, openflex.AccountNormal, []string{"de nouveau en règle", "Merci\u00a0:"}},
		{"fr", openflex.AccountNormal, openflex.AccountFrozen, []string{"Prêts Érable inc. a gelé", "restent dus", "appelez-nous au 1-877-555-0142"}},
		{"fr", openflex.AccountFrozen, openflex.AccountNormal, []string{"dégelé"}},
		{"fr", openflex.AccountNormal, openflex.AccountClosed, []string{"fermé", "aucun nouvel achat", "appelez-nous au 1-877-555-0142"}},
		{"fr", openflex.AccountAuthProhibited, openflex.AccountChargedOff, []string{"radié", "510,02\u00a0$ reste dû", "Appelez-nous au 1-877-555-0142"}},
	} {
		a := customer.About{Lang: tc.lang, Number: "70000012345678", Pages: "https://x.example/account/", Lender: lender}
		subject, body := customer.StatusChanged(a, tc.from, tc.to, 24_87, 510_02)
		text := subject + "\n" + body
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("StatusChanged(%s, %s → %s) lacks %q:\n%s", tc.lang, tc.from, tc.to, w, text)
			}
		}
		if strings.Contains(text, a.Number) || !strings.Contains(text, "•••• 5678") {
			t.Errorf("StatusChanged(%s, %s → %s) must show only the last four digits:\n%s", tc.lang, tc.from, tc.to, text)
		}
		for _, bare := range []string{"call us.", "Call us.", "appelez-nous.", "Appelez-nous."} {
			if strings.Contains(text, bare) {
				t.Errorf("StatusChanged(%s, %s → %s) says %q without the number:\n%s", tc.lang, tc.from, tc.to, bare, text)
			}
		}
		if tc.lang == "fr" && (strings.Contains(text, " :") || strings.Contains(text, " ?")) {
			t.Errorf("StatusChanged(fr, %s) has a breaking space before a colon:\n%s", tc.to, text)
		}
	}
}
