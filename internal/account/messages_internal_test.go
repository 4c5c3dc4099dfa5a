package account

import (
	"regexp"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// frenchSpacing is a French : ; ? ! or » after anything but a no-break
// space (U+00A0 or U+202F), or a « before a plain space.
var frenchSpacing = regexp.MustCompile(`(^|[^\x{00a0}\x{202f}0-9])[:;?!»]|« `)

// TestFrenchTypography checks every French word of the room, including
// those no walk reaches, for the no-break space French puts before its
// tall punctuation.
func TestFrenchTypography(t *testing.T) {
	for k, v := range texts {
		if frenchSpacing.MatchString(v[1]) {
			t.Errorf("%s: %q: a : ; ? ! or » without the no-break space before it", k, v[1])
		}
	}
}

// TestStatusTextsNameTheLender: the statuses that send the customer to
// the phone (frozen, closed, charged off) name the configured lender and
// its number, in both languages; none says "call" without the number.
func TestStatusTextsNameTheLender(t *testing.T) {
	l := servicing.Lender{Name: "Prêts Érable inc.", Phone: "1-877-555-0142"}
	for _, tc := range []struct {
		status openflex.AccountStatus
		call   bool
	}{
		{openflex.AccountNormal, false},
		{openflex.AccountAuthProhibited, false},
		{openflex.AccountFrozen, true},
		{openflex.AccountClosed, true},
		{openflex.AccountChargedOff, true},
	} {
		for _, lang := range []string{"en", "fr"} {
			got := standing(lang, tc.status, l)
			lower := strings.ToLower(got)
			says := strings.Contains(lower, "call") || strings.Contains(lower, "appelez")
			if says != tc.call || tc.call && !(strings.Contains(got, l.Phone) && strings.Contains(got, l.Name)) {
				t.Errorf("%s in %s: %q; want a call to %s at %s: %v", tc.status, lang, got, l.Name, l.Phone, tc.call)
			}
			if strings.ContainsAny(got, "{}") || strings.Contains(got, "OpenFlex") {
				t.Errorf("%s in %s: %q names someone other than the lender", tc.status, lang, got)
			}
		}
	}
}
