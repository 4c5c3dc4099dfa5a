package servicing

import (
	"strings"
	"testing"
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
