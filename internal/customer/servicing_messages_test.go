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
// account number.
func TestStatusChangedSaysWhatToDo(t *testing.T) {
	lender := servicing.Lender{Name: "OpenFlex Financial", Phone: "1-800-555-0199"}
	for _, tc := range []struct {
		lang     string
		from, to openflex.AccountStatus
		want     []string
	}{
		{"en", openflex.AccountNormal, openflex.AccountAuthProhibited, []string{"Purchases paused", "past-due amount of $24.87", "resume by themselves", "https://x.example/account/"}},
		{"en", openflex.AccountAuthProhibited, openflex.AccountNormal, []string{"back in good standing", "make purchases again"}},
		{"en", openflex.AccountNormal, openflex.AccountFrozen, []string{"frozen", "payments are still due", "1-800-555-0199"}},
		{"en", openflex.AccountFrozen, openflex.AccountNormal, []string{"unfrozen", "make purchases again"}},
		{"en", openflex.AccountNormal, openflex.AccountClosed, []string{"closed", "no new purchases", "1-800-555-0199"}},
		{"en", openflex.AccountAuthProhibited, openflex.AccountChargedOff, []string{"charged off", "$510.02 is still owed", "arrange payment"}},
		{"fr", openflex.AccountNormal, openflex.AccountAuthProhibited, []string{"Achats suspendus", "en souffrance\u00a0:", "24,87\u00a0$", "d’eux-mêmes"}},
		{"fr", openflex.AccountAuthProhibited, openflex.AccountNormal, []string{"de nouveau en règle", "Merci\u00a0:"}},
		{"fr", openflex.AccountNormal, openflex.AccountFrozen, []string{"gelé", "restent dus", "1-800-555-0199"}},
		{"fr", openflex.AccountFrozen, openflex.AccountNormal, []string{"dégelé"}},
		{"fr", openflex.AccountNormal, openflex.AccountClosed, []string{"fermé", "aucun nouvel achat"}},
		{"fr", openflex.AccountAuthProhibited, openflex.AccountChargedOff, []string{"radié", "510,02\u00a0$ reste dû"}},
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
		if tc.lang == "fr" && strings.Contains(text, " :") {
			t.Errorf("StatusChanged(fr, %s) has a breaking space before a colon:\n%s", tc.to, text)
		}
	}
}
