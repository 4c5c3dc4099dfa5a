package checkout

import (
	"regexp"
	"testing"
)

// TestFrenchPunctuation: French puts a no-break space before ? and !
// ("Comment voulez-vous continuer ?").
func TestFrenchPunctuation(t *testing.T) {
	glued := regexp.MustCompile(`[^\s\x{00a0}\x{202f}][?!]($|[\s<])`)
	for k, v := range texts {
		if glued.MatchString(v[1]) {
			t.Errorf("%s: %q has a ? or ! without the no-break space before it", k, v[1])
		}
	}
}
