package openflex

import (
	"fmt"
	"strconv"
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

// FormatCents renders an amount of minor units as a dollar string such as
// "1,299.99" without passing through floating point.
func FormatCents(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var grouped []byte
	for i, c := range []byte(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			grouped = append(grouped, ',')
		}
		grouped = append(grouped, c)
	}
	s := fmt.Sprintf("%s.%02d", grouped, cents%100)
	if neg {
		return "-" + s
	}
	return s
}
