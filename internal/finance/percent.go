package finance

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Percent is a percentage held exactly in thousandths of a percent:
// 29.99 % = 29990, 12.125 % = 12125, 0 % = 0.
//
// Thousandths are fine enough for every published consumer rate and for an
// APR rounded to 1/8 % (125), so rates never need floating point.
type Percent int64

// MaxPercent is 100 %, the largest rate [ParsePercent] and [NewQuote] accept.
const MaxPercent Percent = 100_000

// percentScale is the number of Percent units in one percent.
const percentScale = 1000

// ParsePercent parses a non-negative decimal percentage such as "29.99",
// "0", "12.125" or "7.5" into a [Percent].
//
// It accepts only ASCII digits with at most one decimal point followed by one
// to three digits, and a value of at most 100. Signs, exponents, spaces,
// thousands separators and a trailing "%" are rejected rather than guessed
// at, because a rate that is silently misread is a wrong disclosure.
func ParsePercent(s string) (Percent, error) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case s == "":
		return 0, errors.New("parse percent: empty string")
	case whole == "":
		return 0, fmt.Errorf("parse percent %q: digits are required before the decimal point", s)
	case hasPoint && frac == "":
		return 0, fmt.Errorf("parse percent %q: digits are required after the decimal point", s)
	case len(frac) > 3:
		return 0, fmt.Errorf("parse percent %q: at most 3 decimals are allowed", s)
	case !allDigits(whole) || !allDigits(frac):
		return 0, fmt.Errorf("parse percent %q: only digits and one decimal point are allowed", s)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 3 {
		return 0, fmt.Errorf("parse percent %q: must not exceed 100", s)
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt(frac+strings.Repeat("0", 3-len(frac)), 10, 64)
	p := Percent(w*percentScale + f)
	if p > MaxPercent {
		return 0, fmt.Errorf("parse percent %q: must not exceed 100", s)
	}
	return p, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats p as a plain decimal without a "%" sign, the form the API
// sends and [ParsePercent] reads back: whole percentages print without
// decimals ("0", "30"); others print with trailing zeros trimmed but never
// fewer than two decimals ("7.50", "29.99", "12.125", "0.001"), because
// rates are conventionally quoted to the hundredth.
func (p Percent) String() string {
	return p.decimal(".")
}

func (p Percent) decimal(point string) string {
	sign := ""
	u := int64(p)
	if u < 0 {
		sign, u = "-", -u
	}
	whole, frac := u/percentScale, u%percentScale
	if frac == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	f := fmt.Sprintf("%03d", frac)
	if f[2] == '0' {
		f = f[:2]
	}
	return sign + strconv.FormatInt(whole, 10) + point + f
}
