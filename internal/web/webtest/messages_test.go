package webtest_test

import (
	"regexp"
	"testing"

	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// frenchPunct is a ? or ! glued to the word before it: French puts a
// no-break space there ("Mot de passe oublié ?").
var frenchPunct = regexp.MustCompile(`[^\s\x{00a0}\x{202f}][?!]($|[\s<])`)

// TestFrenchPunctuation checks that every French message of every room
// spaces its ? and !.
func TestFrenchPunctuation(t *testing.T) {
	h := webtest.New(t, storetest.Engines(t)[0], webtest.WithTill, func(c *webtest.Config) { c.Settlements = true })
	for k, m := range h.Site.Messages() {
		if frenchPunct.MatchString(m[1]) {
			t.Errorf("%s: %q has a ? or ! without the no-break space before it", k, m[1])
		}
	}
}
