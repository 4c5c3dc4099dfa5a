package finance

import (
	"strconv"
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

// FormatCAD formats an amount of cents as Canadians read it in lang:
// "$1,299.99" in English and "1 299,99 $" in French, where each space is a
// no-break space (U+00A0). Negative amounts carry a leading "-".
func FormatCAD(cents int64, lang string) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", -u
	}
	whole := strconv.FormatUint(u/100, 10)
	c := u % 100
	frac := string([]byte{byte('0' + c/10), byte('0' + c%10)})
	if IsFrench(lang) {
		return sign + group(whole, nbsp) + "," + frac + nbsp + "$"
	}
	return sign + "$" + group(whole, ",") + "." + frac
}

// group inserts sep between groups of three digits, counting from the right.
func group(digits, sep string) string {
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(digits[i])
	}
	return b.String()
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
