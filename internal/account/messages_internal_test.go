package account

import (
	"regexp"
	"testing"
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
