package credit

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openflex/openflex"
)

// testToday is the day every validation test runs on.
var testToday = time.Date(2026, 11, 23, 15, 4, 5, 0, time.UTC)

// validApplicant returns an applicant that passes ValidateApplicant on
// testToday; each case mutates a fresh copy.
func validApplicant() openflex.Applicant {
	return openflex.Applicant{
		FirstName:   "Zoë",
		LastName:    "O'Brien",
		DateOfBirth: "1990-04-15",
		Email:       "zoe.obrien@example.com",
		Phone:       "(416) 555-0199",
		Address: openflex.Address{
			Line1:      "100 Queen St W",
			City:       "Toronto",
			Province:   "ON",
			PostalCode: "M5H 2N2",
		},
		AnnualIncome:       60_000_00,
		EmploymentStatus:   "employed",
		HousingStatus:      "rent",
		MonthlyHousingCost: 1_500_00,
		SIN:                "123 456 782",
	}
}

var validConsent = openflex.Consent{CreditCheck: true, TermsAccepted: true}

// problems returns the param → code of every field problem of err, failing
// the test when err is not an *openflex.Error carrying them.
func problems(t testing.TB, err error) map[string]openflex.Code {
	t.Helper()
	got := map[string]openflex.Code{}
	if err == nil {
		return got
	}
	var e *openflex.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *openflex.Error", err, err)
	}
	if len(e.Fields) == 0 {
		t.Fatalf("error %v has no Fields", err)
	}
	if e.Code != e.Fields[0].Code || e.Param != e.Fields[0].Param {
		t.Errorf("error code/param = %s/%s, want the first field's %s/%s", e.Code, e.Param, e.Fields[0].Code, e.Fields[0].Param)
	}
	for _, f := range e.Fields {
		if _, dup := got[f.Param]; dup {
			t.Errorf("param %s reported twice", f.Param)
		}
		got[f.Param] = f.Code
		if !strings.Contains(f.Message, f.Param) {
			t.Errorf("message %q does not name its field %s", f.Message, f.Param)
		}
	}
	return got
}

func formatProblems(m map[string]openflex.Code) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+string(m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

const (
	missing = openflex.CodeParameterMissing
	invalid = openflex.CodeParameterInvalid
)

func TestValidateApplicant(t *testing.T) {
	eightSIN := "80000000" + string(openflex.LuhnCheckDigit("80000000"))
	tests := []struct {
		name   string
		mutate func(a *openflex.Applicant, c *openflex.Consent, amount *int64)
		want   map[string]openflex.Code
	}{
		{name: "valid", mutate: func(*openflex.Applicant, *openflex.Consent, *int64) {}},

		// names
		{name: "first name missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = "  " },
			want: map[string]openflex.Code{"applicant.first_name": missing}},
		{name: "first name 50 characters", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = strings.Repeat("é", 50) }},
		{name: "first name 51 characters", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = strings.Repeat("é", 51) },
			want: map[string]openflex.Code{"applicant.first_name": invalid}},
		{name: "first name digit", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = "J0hn" },
			want: map[string]openflex.Code{"applicant.first_name": invalid}},
		{name: "first name markup", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = "<b>Ann</b>" },
			want: map[string]openflex.Code{"applicant.first_name": invalid}},
		{name: "first name punctuation only", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = "-.'" },
			want: map[string]openflex.Code{"applicant.first_name": invalid}},
		{name: "hyphenated accented name", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = "Jean-François" }},
		{name: "decomposed accent", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.FirstName = "Zoe\u0308" }},
		{name: "typographic apostrophe and period", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.LastName = "St. O’Neil" }},
		{name: "last name missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.LastName = "" },
			want: map[string]openflex.Code{"applicant.last_name": missing}},
		{name: "magic middle name", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.MiddleName = " a-rr_l " }},
		{name: "middle name too long", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.MiddleName = strings.Repeat("x", 51) },
			want: map[string]openflex.Code{"applicant.middle_name": invalid}},

		// date of birth
		{name: "date of birth missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "" },
			want: map[string]openflex.Code{"applicant.date_of_birth": missing}},
		{name: "date of birth not ISO", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "15/04/1990" },
			want: map[string]openflex.Code{"applicant.date_of_birth": invalid}},
		{name: "date of birth unpadded", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "1990-4-15" },
			want: map[string]openflex.Code{"applicant.date_of_birth": invalid}},
		{name: "date of birth 30 February", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "1990-02-30" },
			want: map[string]openflex.Code{"applicant.date_of_birth": invalid}},
		{name: "date of birth 29 February of a leap year", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "1992-02-29" }},
		{name: "date of birth in the future", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "2026-11-24" },
			want: map[string]openflex.Code{"applicant.date_of_birth": invalid}},
		{name: "under age of majority", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "2010-01-01" },
			want: map[string]openflex.Code{"applicant.date_of_birth": invalid}},
		{name: "aged 120", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "1906-11-23" }},
		{name: "older than 120", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.DateOfBirth = "1905-11-23" },
			want: map[string]openflex.Code{"applicant.date_of_birth": invalid}},

		// email
		{name: "email missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Email = "" },
			want: map[string]openflex.Code{"applicant.email": missing}},
		{name: "email without @", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Email = "zoe.example.com" },
			want: map[string]openflex.Code{"applicant.email": invalid}},
		{name: "email with two @", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Email = "zoe@home@example.com" },
			want: map[string]openflex.Code{"applicant.email": invalid}},
		{name: "email without local part", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Email = "@example.com" },
			want: map[string]openflex.Code{"applicant.email": invalid}},
		{name: "email domain without dot", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Email = "zoe@localhost" },
			want: map[string]openflex.Code{"applicant.email": invalid}},
		{name: "email with space", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Email = "zoe o@example.com" },
			want: map[string]openflex.Code{"applicant.email": invalid}},
		{name: "email too long", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) {
			a.Email = "zoe@" + strings.Repeat("a", 247) + ".com"
		}, want: map[string]openflex.Code{"applicant.email": invalid}},

		// phone
		{name: "phone missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Phone = "" },
			want: map[string]openflex.Code{"applicant.phone": missing}},
		{name: "phone 7 digits", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Phone = "555-0199" },
			want: map[string]openflex.Code{"applicant.phone": invalid}},
		{name: "phone outside NANP", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Phone = "+44 20 7946 0958" },
			want: map[string]openflex.Code{"applicant.phone": invalid}},
		{name: "phone area code starts with 1", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Phone = "116-555-0199" },
			want: map[string]openflex.Code{"applicant.phone": invalid}},
		{name: "phone exchange starts with 0", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Phone = "416-055-0199" },
			want: map[string]openflex.Code{"applicant.phone": invalid}},
		{name: "phone N11 area code", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Phone = "911-555-0199" },
			want: map[string]openflex.Code{"applicant.phone": invalid}},
		{name: "phone with letters", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Phone = "416-555-CALL" },
			want: map[string]openflex.Code{"applicant.phone": invalid}},

		// address
		{name: "line1 missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.Line1 = "" },
			want: map[string]openflex.Code{"applicant.address.line1": missing}},
		{name: "line1 too long", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.Line1 = strings.Repeat("1", 101) },
			want: map[string]openflex.Code{"applicant.address.line1": invalid}},
		{name: "line2 control character", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.Line2 = "Apt\x001" },
			want: map[string]openflex.Code{"applicant.address.line2": invalid}},
		{name: "city missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.City = " " },
			want: map[string]openflex.Code{"applicant.address.city": missing}},
		{name: "province missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.Province = "" },
			want: map[string]openflex.Code{"applicant.address.province": missing}},
		{name: "province unknown", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.Province = "XX" },
			want: map[string]openflex.Code{"applicant.address.province": invalid}},
		{name: "province lower case", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.Province = "on" }},
		{name: "postal code missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.PostalCode = "" },
			want: map[string]openflex.Code{"applicant.address.postal_code": missing}},
		{name: "postal code US ZIP", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.PostalCode = "90210" },
			want: map[string]openflex.Code{"applicant.address.postal_code": invalid}},
		{name: "postal code with forbidden letter", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.PostalCode = "M5D 2N2" },
			want: map[string]openflex.Code{"applicant.address.postal_code": invalid}},
		{name: "postal code starting with W", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.PostalCode = "W5H 2N2" },
			want: map[string]openflex.Code{"applicant.address.postal_code": invalid}},
		{name: "postal code two spaces", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.PostalCode = "M5H  2N2" },
			want: map[string]openflex.Code{"applicant.address.postal_code": invalid}},
		{name: "postal code of another province", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.Address.PostalCode = "V6B 1A1" },
			want: map[string]openflex.Code{"applicant.address.postal_code": invalid}},
		{name: "Nunavut postal code X", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) {
			a.Address.Province, a.Address.City, a.Address.PostalCode = "NU", "Iqaluit", "X0A 0H0"
		}},

		// money and enumerations
		{name: "income zero", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.AnnualIncome = 0 }},
		{name: "income negative", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.AnnualIncome = -1 },
			want: map[string]openflex.Code{"applicant.annual_income": invalid}},
		{name: "income above maximum", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.AnnualIncome = openflex.MaxAmount + 1 },
			want: map[string]openflex.Code{"applicant.annual_income": invalid}},
		{name: "housing cost negative", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.MonthlyHousingCost = -100 },
			want: map[string]openflex.Code{"applicant.monthly_housing_cost": invalid}},
		{name: "employment status missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.EmploymentStatus = "" },
			want: map[string]openflex.Code{"applicant.employment_status": missing}},
		{name: "employment status unknown", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.EmploymentStatus = "freelance" },
			want: map[string]openflex.Code{"applicant.employment_status": invalid}},
		{name: "employment status upper case", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.EmploymentStatus = "Self_Employed" }},
		{name: "housing status missing", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.HousingStatus = "" },
			want: map[string]openflex.Code{"applicant.housing_status": missing}},
		{name: "housing status unknown", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.HousingStatus = "castle" },
			want: map[string]openflex.Code{"applicant.housing_status": invalid}},

		// SIN
		{name: "SIN absent", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.SIN = "" }},
		{name: "SIN with hyphens", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.SIN = "123-456-782" }},
		{name: "SIN bad check digit", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.SIN = "123 456 789" },
			want: map[string]openflex.Code{"applicant.sin": invalid}},
		{name: "SIN 8 digits", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.SIN = "12345678" },
			want: map[string]openflex.Code{"applicant.sin": invalid}},
		{name: "SIN with letters", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.SIN = "12345678A" },
			want: map[string]openflex.Code{"applicant.sin": invalid}},
		{name: "SIN starting with 0", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.SIN = "046 454 286" },
			want: map[string]openflex.Code{"applicant.sin": invalid}},
		{name: "SIN starting with 8", mutate: func(a *openflex.Applicant, _ *openflex.Consent, _ *int64) { a.SIN = eightSIN },
			want: map[string]openflex.Code{"applicant.sin": invalid}},

		// consent and amount
		{name: "no credit check consent", mutate: func(_ *openflex.Applicant, c *openflex.Consent, _ *int64) { c.CreditCheck = false },
			want: map[string]openflex.Code{"consent.credit_check": invalid}},
		{name: "terms not accepted", mutate: func(_ *openflex.Applicant, c *openflex.Consent, _ *int64) { c.TermsAccepted = false },
			want: map[string]openflex.Code{"consent.terms_accepted": invalid}},
		{name: "requested amount given", mutate: func(_ *openflex.Applicant, _ *openflex.Consent, n *int64) { *n = 1_299_99 }},
		{name: "requested amount negative", mutate: func(_ *openflex.Applicant, _ *openflex.Consent, n *int64) { *n = -5 },
			want: map[string]openflex.Code{"requested_amount": invalid}},
		{name: "requested amount above maximum", mutate: func(_ *openflex.Applicant, _ *openflex.Consent, n *int64) { *n = openflex.MaxAmount + 1 },
			want: map[string]openflex.Code{"requested_amount": invalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, c, amount := validApplicant(), validConsent, int64(0)
			tt.mutate(&a, &c, &amount)
			got := problems(t, ValidateApplicant(&a, c, amount, testToday))
			want := tt.want
			if want == nil {
				want = map[string]openflex.Code{}
			}
			if !maps.Equal(got, want) {
				t.Errorf("ValidateApplicant(...) problems = %s, want %s", formatProblems(got), formatProblems(want))
			}
		})
	}
}

func TestValidateApplicantNormalises(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(a *openflex.Applicant)
		check  func(a *openflex.Applicant) (got, want string)
	}{
		{"phone with parentheses", func(a *openflex.Applicant) { a.Phone = "(416) 555-0199" },
			func(a *openflex.Applicant) (string, string) { return a.Phone, "+14165550199" }},
		{"phone with hyphens", func(a *openflex.Applicant) { a.Phone = "416-555-0199" },
			func(a *openflex.Applicant) (string, string) { return a.Phone, "+14165550199" }},
		{"phone in international form", func(a *openflex.Applicant) { a.Phone = "+1 416 555 0199" },
			func(a *openflex.Applicant) (string, string) { return a.Phone, "+14165550199" }},
		{"phone with country code", func(a *openflex.Applicant) { a.Phone = "14165550199" },
			func(a *openflex.Applicant) (string, string) { return a.Phone, "+14165550199" }},
		{"phone with dots", func(a *openflex.Applicant) { a.Phone = " 416.555.0199 " },
			func(a *openflex.Applicant) (string, string) { return a.Phone, "+14165550199" }},
		{"postal code without space", func(a *openflex.Applicant) { a.Address.PostalCode = "m5h2n2" },
			func(a *openflex.Applicant) (string, string) { return a.Address.PostalCode, "M5H 2N2" }},
		{"postal code lower case", func(a *openflex.Applicant) { a.Address.PostalCode = " m5h 2n2 " },
			func(a *openflex.Applicant) (string, string) { return a.Address.PostalCode, "M5H 2N2" }},
		{"email domain lower-cased", func(a *openflex.Applicant) { a.Email = "  Zoe.OBrien@Example.COM " },
			func(a *openflex.Applicant) (string, string) { return a.Email, "Zoe.OBrien@example.com" }},
		{"names trimmed", func(a *openflex.Applicant) { a.FirstName, a.LastName = "  Zoë ", "\tO'Brien\n" },
			func(a *openflex.Applicant) (string, string) { return a.FirstName + "|" + a.LastName, "Zoë|O'Brien" }},
		{"SIN digits only", func(a *openflex.Applicant) { a.SIN = " 123-456 782 " },
			func(a *openflex.Applicant) (string, string) { return a.SIN, "123456782" }},
		{"province upper-cased", func(a *openflex.Applicant) { a.Address.Province = " on" },
			func(a *openflex.Applicant) (string, string) { return string(a.Address.Province), "ON" }},
		{"enumerations lower-cased", func(a *openflex.Applicant) { a.EmploymentStatus, a.HousingStatus = "Retired ", " OWN" },
			func(a *openflex.Applicant) (string, string) {
				return a.EmploymentStatus + "|" + a.HousingStatus, "retired|own"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validApplicant()
			tt.mutate(&a)
			if err := ValidateApplicant(&a, validConsent, 0, testToday); err != nil {
				t.Fatalf("ValidateApplicant(...) = %v, want nil", err)
			}
			if got, want := tt.check(&a); got != want {
				t.Errorf("after ValidateApplicant(...) got %q, want %q", got, want)
			}
		})
	}
}

// TestValidateApplicantReportsEverything checks that one request learns of
// all its problems at once, not one per round trip.
func TestValidateApplicantReportsEverything(t *testing.T) {
	a := openflex.Applicant{
		FirstName:   "R2-D2",
		LastName:    "",
		MiddleName:  strings.Repeat("m", 60),
		DateOfBirth: "2031-13-01",
		Email:       "not-an-email",
		Phone:       "555",
		Address: openflex.Address{
			Line1:      "",
			City:       "",
			Province:   "ZZ",
			PostalCode: "ABC DEF",
		},
		AnnualIncome:       -1,
		EmploymentStatus:   "astronaut",
		HousingStatus:      "",
		MonthlyHousingCost: -1,
		SIN:                "000 000 000",
	}
	err := ValidateApplicant(&a, openflex.Consent{}, -1, testToday)
	got := problems(t, err)
	want := map[string]openflex.Code{
		"applicant.first_name":           invalid,
		"applicant.middle_name":          invalid,
		"applicant.last_name":            missing,
		"applicant.date_of_birth":        invalid,
		"applicant.email":                invalid,
		"applicant.phone":                invalid,
		"applicant.address.line1":        missing,
		"applicant.address.city":         missing,
		"applicant.address.province":     invalid,
		"applicant.address.postal_code":  invalid,
		"applicant.annual_income":        invalid,
		"applicant.employment_status":    invalid,
		"applicant.housing_status":       missing,
		"applicant.monthly_housing_cost": invalid,
		"applicant.sin":                  invalid,
		"consent.credit_check":           invalid,
		"consent.terms_accepted":         invalid,
		"requested_amount":               invalid,
	}
	if !maps.Equal(got, want) {
		t.Errorf("ValidateApplicant(broken) problems = %s, want %s", formatProblems(got), formatProblems(want))
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("and %d more problems", len(want)-1)) {
		t.Errorf("ValidateApplicant(broken) = %q, want it to count the other problems", msg)
	}
	if strings.Contains(err.Error(), "000") {
		t.Errorf("ValidateApplicant(broken) = %q: messages must not repeat the SIN", err)
	}
}

func TestValidateApplicantNil(t *testing.T) {
	got := problems(t, ValidateApplicant(nil, validConsent, 0, testToday))
	want := map[string]openflex.Code{"applicant": missing}
	if !maps.Equal(got, want) {
		t.Errorf("ValidateApplicant(nil) problems = %s, want %s", formatProblems(got), formatProblems(want))
	}
}

// TestAgeOfMajority checks the birthday arithmetic at its edges: BC's age
// of majority is 19, Ontario's 18, and the birthday itself counts.
func TestAgeOfMajority(t *testing.T) {
	tests := []struct {
		province openflex.Province
		postal   string
		dob      string
		today    string
		ok       bool
	}{
		{"BC", "V6B 1A1", "2007-11-23", "2026-11-23", true},  // 19 today
		{"BC", "V6B 1A1", "2007-11-24", "2026-11-23", false}, // 19 tomorrow
		{"BC", "V6B 1A1", "2007-11-24", "2026-11-24", true},
		{"BC", "V6B 1A1", "2008-11-23", "2026-11-23", false}, // 18: of age in ON, not in BC
		{"BC", "V6B 1A1", "2007-12-01", "2026-11-30", false}, // later month
		{"ON", "M5H 2N2", "2008-11-23", "2026-11-23", true},  // 18 today
		{"ON", "M5H 2N2", "2008-11-24", "2026-11-23", false}, // 18 tomorrow
		{"ON", "M5H 2N2", "2007-11-24", "2026-11-23", true},  // 18, not yet 19
		{"ON", "M5H 2N2", "2008-02-29", "2026-02-28", false}, // leap-day birthday: not on 28 February
		{"ON", "M5H 2N2", "2008-02-29", "2026-03-01", true},  // but on 1 March
		{"NU", "X0A 0H0", "2008-01-01", "2026-11-23", false}, // 19 in Nunavut
		{"QC", "H2X 1Y4", "2008-01-01", "2026-11-23", true},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s born %s on %s", tt.province, tt.dob, tt.today)
		t.Run(name, func(t *testing.T) {
			a := validApplicant()
			a.Address.Province, a.Address.PostalCode, a.DateOfBirth = tt.province, tt.postal, tt.dob
			today, err := time.Parse(time.DateOnly, tt.today)
			if err != nil {
				t.Fatal(err)
			}
			// Late in the evening in Vancouver: the local calendar day counts.
			loc := time.FixedZone("PST", -8*3600)
			today = time.Date(today.Year(), today.Month(), today.Day(), 23, 30, 0, 0, loc)
			got := problems(t, ValidateApplicant(&a, validConsent, 0, today))
			want := map[string]openflex.Code{}
			if !tt.ok {
				want["applicant.date_of_birth"] = invalid
			}
			if !maps.Equal(got, want) {
				t.Errorf("ValidateApplicant(%s) problems = %s, want %s", name, formatProblems(got), formatProblems(want))
			}
		})
	}
}
