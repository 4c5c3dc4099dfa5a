package openflex

import (
	"strconv"
	"strings"
)

// Currency is an ISO 4217 code. OpenFlex lends in Canadian dollars only.
type Currency string

// CAD is the only currency OpenFlex lends in.
const CAD Currency = "CAD"

// MaxAmount is the largest amount, in minor units, any single money field
// may hold: $99,999,999.99.
const MaxAmount int64 = 99_999_999_99

// Money is an exact amount in minor units (cents) of a currency. Floats are
// never used for money anywhere in OpenFlex.
type Money struct {
	Amount   int64
	Currency Currency
}

// CheckAmount reports a parameter_invalid error for param unless amount is a
// whole number of cents in (0, MaxAmount], or [0, MaxAmount] when zero is allowed.
func CheckAmount(param string, amount int64, allowZero bool) *FieldError {
	switch {
	case amount < 0, amount == 0 && !allowZero:
		return &FieldError{Param: param, Code: CodeParameterInvalid, Message: param + " must be a positive whole number of cents"}
	case amount > MaxAmount:
		return &FieldError{Param: param, Code: CodeParameterInvalid, Message: param + " must not exceed 9999999999 cents"}
	}
	return nil
}

// nbsp is the no-break space (U+00A0) French typography puts between digit
// groups and before "$"; a breaking space could wrap "1 299,99 $" across
// two lines of a receipt or a checkout page.
const nbsp = "\u00a0"

// Format is m as Canadians read it in lang (see FormatCAD).
func (m Money) Format(lang string) string { return FormatCAD(m.Amount, lang) }

// FormatCAD is the one way an amount is written for people: "$1,299.99"
// in English and "1 299,99 $" in French (lang beginning with "fr", any
// case), each space a no-break space. Negative amounts carry a leading
// "-". It never passes through floating point.
func FormatCAD(cents int64, lang string) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", -u
	}
	whole := strconv.FormatUint(u/100, 10)
	c := u % 100
	frac := string([]byte{byte('0' + c/10), byte('0' + c%10)})
	if len(lang) >= 2 && strings.EqualFold(lang[:2], "fr") {
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

// ParseDollars is the one reader of an amount typed by a person, in
// English or French: "500", "1,299.99", "$1299.9", "1 299,99 $" (spaces,
// no-break spaces and "$" anywhere are ignored; a comma followed by at most
// two digits and no point is a decimal comma). It never uses floats and
// reads cents exactly; anything else (a sign, a third decimal, letters, an
// amount over MaxAmount) is refused. Zero is read; callers that need a
// positive amount check it (CheckAmount).
func ParseDollars(s string) (int64, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '$':
			return -1
		}
		return r
	}, s)
	if i := strings.LastIndexByte(s, ','); i >= 0 && !strings.Contains(s, ".") && len(s)-i-1 <= 2 {
		s = s[:i] + "." + s[i+1:] // a decimal comma
	}
	whole, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", ""), ".")
	if whole == "" && frac == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	cents := w*100 + c
	if cents > MaxAmount {
		return 0, false
	}
	return cents, true
}
