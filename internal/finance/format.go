package finance

import (
	"strings"
)

// nbsp is the no-break space (U+00A0) French typography puts between digit
// groups and before "$", "%" and ":"; a breaking space could wrap
// "1 299,99 $" across two lines of a receipt or a checkout page.
const nbsp = "\u00a0"

// IsFrench reports whether lang asks for French: any tag beginning with
// "fr" in any case ("fr", "fr-CA", "FR_ca"). Everything else is English,
// the API's default language.
func IsFrench(lang string) bool {
	return len(lang) >= 2 && strings.EqualFold(lang[:2], "fr")
}

// FormatPercent formats p with its sign as Canadians read it in lang:
// "29.99%" in English and "29,99 %" in French (no-break space), with the
// decimals of [Percent.String].
func FormatPercent(p Percent, lang string) string {
	if IsFrench(lang) {
		return p.decimal(",") + nbsp + "%"
	}
	return p.decimal(".") + "%"
}
