package credit

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openflex/openflex"
)

// Length limits of free-text fields, in characters (runes, not bytes, so
// "Zoë" counts as three).
const (
	maxNameLen    = 50
	maxLineLen    = 100
	maxCityLen    = 50
	maxEmailLen   = 254 // RFC 5321 path limit
	maxEmailLocal = 64
	maxAge        = 120
)

// EmploymentStatuses lists the accepted values of applicant.employment_status.
var EmploymentStatuses = []string{"employed", "self_employed", "retired", "student", "unemployed", "other"}

// HousingStatuses lists the accepted values of applicant.housing_status.
var HousingStatuses = []string{"own", "rent", "live_with_family", "other"}

// ValidateApplicant checks an application's applicant, consent and requested
// amount before any bureau is asked, so that a malformed request never costs
// a hard inquiry. It first normalises a in place — spaces trimmed, province
// upper-cased, postal code to "A1A 1A1", phone to E.164 "+1XXXXXXXXXX",
// email domain lower-cased, SIN to its 9 digits, enumerations lower-cased —
// and then reports every problem at once: the result is nil or an
// *openflex.Error whose Fields hold one openflex.FieldError per problem,
// each named by its JSON path of API.md ("applicant.address.postal_code").
//
// Codes: parameter_missing for an absent required field, parameter_invalid
// for everything else. Messages never repeat the SIN or date of birth, as
// they may reach logs.
//
// today is the calendar day ages are computed on (its year, month and day in
// its own location); pass the current time in the store's time zone. A
// 29 February birthday is reached on 1 March in common years.
func ValidateApplicant(a *openflex.Applicant, consent openflex.Consent, requestedAmount int64, today time.Time) error {
	var p openflex.Problems
	if a == nil {
		p.Missing("applicant")
		checkConsent(&p, consent)
		return p.Err()
	}
	normalise(a)

	checkName(&p, "applicant.first_name", a.FirstName, true)
	checkMiddleName(&p, a.MiddleName)
	checkName(&p, "applicant.last_name", a.LastName, true)
	checkDateOfBirth(&p, a.DateOfBirth, a.Address.Province, today)
	checkEmail(&p, a.Email)
	if a.Phone == "" {
		p.Missing("applicant.phone")
	} else if e164, ok := parsePhone(a.Phone); ok {
		a.Phone = e164
	} else {
		p.Invalid("applicant.phone", "applicant.phone must be a 10-digit North American number such as 416-555-0199")
	}
	checkAddress(&p, &a.Address)
	checkCents(&p, "applicant.annual_income", a.AnnualIncome)
	checkEnum(&p, "applicant.employment_status", a.EmploymentStatus, EmploymentStatuses)
	checkEnum(&p, "applicant.housing_status", a.HousingStatus, HousingStatuses)
	checkCents(&p, "applicant.monthly_housing_cost", a.MonthlyHousingCost)
	if a.SIN != "" {
		if sin, ok := parseSIN(a.SIN); ok {
			a.SIN = sin
		} else {
			p.Invalid("applicant.sin", "applicant.sin must be a valid 9-digit Social Insurance Number")
		}
	}
	checkConsent(&p, consent)
	// 0 means no amount was requested; anything else must be a real amount.
	p.Add(openflex.CheckAmount("requested_amount", requestedAmount, true))
	return p.Err()
}

// normalise trims and canonicalises the fields whose format has one spelling
// only; the phone, postal code and SIN are canonicalised by their checks,
// once they are known to be valid.
func normalise(a *openflex.Applicant) {
	a.FirstName = strings.TrimSpace(a.FirstName)
	a.MiddleName = strings.TrimSpace(a.MiddleName)
	a.LastName = strings.TrimSpace(a.LastName)
	a.DateOfBirth = strings.TrimSpace(a.DateOfBirth)
	a.Email = strings.TrimSpace(a.Email)
	if at := strings.LastIndexByte(a.Email, '@'); at >= 0 {
		a.Email = a.Email[:at+1] + strings.ToLower(a.Email[at+1:])
	}
	a.Phone = strings.TrimSpace(a.Phone)
	a.Address.Line1 = strings.TrimSpace(a.Address.Line1)
	a.Address.Line2 = strings.TrimSpace(a.Address.Line2)
	a.Address.City = strings.TrimSpace(a.Address.City)
	a.Address.Province = openflex.Province(strings.ToUpper(strings.TrimSpace(string(a.Address.Province))))
	a.Address.PostalCode = strings.ToUpper(strings.TrimSpace(a.Address.PostalCode))
	a.EmploymentStatus = strings.ToLower(strings.TrimSpace(a.EmploymentStatus))
	a.HousingStatus = strings.ToLower(strings.TrimSpace(a.HousingStatus))
	a.SIN = strings.TrimSpace(a.SIN)
}

// checkName accepts letters of any script (with combining accents, so a
// decomposed "Zoë" passes too), spaces, hyphens, apostrophes (straight or
// typographic) and periods, and at least one letter.
func checkName(p *openflex.Problems, param, name string, required bool) {
	if name == "" {
		if required {
			p.Missing(param)
		}
		return
	}
	if utf8.RuneCountInString(name) > maxNameLen {
		p.Invalid(param, "%s must be at most %d characters", param, maxNameLen)
		return
	}
	letters := 0
	for _, r := range name {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.Mn, r), r == ' ', r == '-', r == '\'', r == '’', r == '.':
		default:
			p.Invalid(param, "%s may contain only letters, spaces, hyphens, apostrophes and periods", param)
			return
		}
	}
	if letters == 0 {
		p.Invalid(param, "%s must contain at least one letter", param)
	}
}

// checkMiddleName is looser than checkName: in TRAINING the middle name
// carries the simulator's magic values ("A-RR_L"), which contain an
// underscore, and a middle name is optional anyway.
func checkMiddleName(p *openflex.Problems, name string) {
	const param = "applicant.middle_name"
	switch {
	case utf8.RuneCountInString(name) > maxNameLen:
		p.Invalid(param, "%s must be at most %d characters", param, maxNameLen)
	case hasControl(name):
		p.Invalid(param, "%s must not contain control characters", param)
	}
}

func checkDateOfBirth(p *openflex.Problems, dob string, prov openflex.Province, today time.Time) {
	const param = "applicant.date_of_birth"
	if dob == "" {
		p.Missing(param)
		return
	}
	d, ok := parseDate(dob)
	if !ok {
		p.Invalid(param, "%s must be a real date in the form YYYY-MM-DD", param)
		return
	}
	ty, tm, td := today.Date()
	todayDate := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	if d.After(todayDate) {
		p.Invalid(param, "%s must not be in the future", param)
		return
	}
	years := age(d, todayDate)
	// With an unknown province (reported on its own) the lowest age of
	// majority still catches applicants who are minors everywhere.
	majority, where := 18, "the lowest age of majority in Canada"
	if prov.Valid() {
		majority, where = prov.AgeOfMajority(), "the age of majority in "+string(prov)
	}
	switch {
	case years < majority:
		p.Invalid(param, "%s shows the applicant is under %d, %s", param, majority, where)
	case years > maxAge:
		p.Invalid(param, "%s must be within the last %d years", param, maxAge)
	}
}

// parseDate parses a strict YYYY-MM-DD calendar date: time.Parse already
// refuses 2023-02-29 and 2024-04-31; the length check refuses the
// variants it would otherwise tolerate.
func parseDate(s string) (time.Time, bool) {
	if len(s) != len("2006-01-02") {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, s)
	return d, err == nil
}

// age is the number of whole years from birth to on: the birthday itself
// counts, so someone born on 2008-05-01 is 18 on 2026-05-01. Comparing
// month and day (not adding years to a date) keeps a 29 February birthday
// from being reached on 28 February.
func age(birth, on time.Time) int {
	years := on.Year() - birth.Year()
	if on.Month() < birth.Month() || on.Month() == birth.Month() && on.Day() < birth.Day() {
		years--
	}
	return years
}

// checkEmail accepts plausible addresses: exactly one @, a local part, a
// dotted domain without empty labels, no spaces. Deliverability is proved
// later, by the verification code.
func checkEmail(p *openflex.Problems, email string) {
	const param = "applicant.email"
	if email == "" {
		p.Missing(param)
		return
	}
	if len(email) > maxEmailLen {
		p.Invalid(param, "%s must be at most %d characters", param, maxEmailLen)
		return
	}
	local, domain, _ := strings.Cut(email, "@")
	valid := strings.Count(email, "@") == 1 &&
		local != "" && len(local) <= maxEmailLocal &&
		strings.Contains(domain, ".") && !strings.Contains(domain, "..") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) &&
		!strings.ContainsFunc(domain, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '.'
		})
	if !valid {
		p.Invalid(param, "%s must be an email address such as name@example.com", param)
	}
}

// parsePhone returns the E.164 form of a North American number written as
// "(416) 555-0199", "416-555-0199", "416.555.0199", "+1 416 555 0199" or
// "14165550199". The area code and the exchange start with 2–9, and N11
// codes (411, 911…) are service codes, never area codes.
func parsePhone(s string) (string, bool) {
	var b strings.Builder
	plus := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return "", false
		}
	}
	digits := b.String()
	switch {
	case len(digits) == 11 && digits[0] == '1':
		digits = digits[1:]
	case len(digits) == 10 && !plus:
	default:
		return "", false
	}
	area, exchange := digits[:3], digits[3:6]
	if area[0] < '2' || exchange[0] < '2' || area[1:] == "11" {
		return "", false
	}
	return "+1" + digits, true
}

func checkAddress(p *openflex.Problems, addr *openflex.Address) {
	checkLine(p, "applicant.address.line1", addr.Line1, maxLineLen, true)
	checkLine(p, "applicant.address.line2", addr.Line2, maxLineLen, false)
	checkLine(p, "applicant.address.city", addr.City, maxCityLen, true)
	const provParam, postalParam = "applicant.address.province", "applicant.address.postal_code"
	switch {
	case addr.Province == "":
		p.Missing(provParam)
	case !addr.Province.Valid():
		p.Invalid(provParam, "%s must be a Canadian province or territory code such as ON or QC", provParam)
	}
	if addr.PostalCode == "" {
		p.Missing(postalParam)
		return
	}
	code, ok := parsePostalCode(addr.PostalCode)
	if !ok {
		p.Invalid(postalParam, "%s must be a Canadian postal code such as K1A 0B1", postalParam)
		return
	}
	addr.PostalCode = code
	if addr.Province.Valid() && !strings.ContainsRune(addr.Province.PostalLetters(), rune(code[0])) {
		p.Invalid(postalParam, "%s is not in %s: postal codes there start with %s",
			postalParam, addr.Province, orList(addr.Province.PostalLetters()))
	}
}

func checkLine(p *openflex.Problems, param, s string, max int, required bool) {
	switch {
	case s == "":
		if required {
			p.Missing(param)
		}
	case utf8.RuneCountInString(s) > max:
		p.Invalid(param, "%s must be at most %d characters", param, max)
	case hasControl(s):
		p.Invalid(param, "%s must not contain control characters", param)
	}
}

// parsePostalCode returns the canonical "A1A 1A1" form of an upper-cased
// postal code written with or without its middle space. Canada Post never
// uses D, F, I, O, Q or U (they read as other characters), nor W or Z as
// the first letter.
func parsePostalCode(s string) (string, bool) {
	if len(s) == 7 && s[3] == ' ' {
		s = s[:3] + s[4:]
	}
	if len(s) != 6 {
		return "", false
	}
	for i := 0; i < 6; i++ {
		c := s[i]
		if i%2 == 1 {
			if c < '0' || c > '9' {
				return "", false
			}
			continue
		}
		if c < 'A' || c > 'Z' || strings.IndexByte("DFIOQU", c) >= 0 || i == 0 && (c == 'W' || c == 'Z') {
			return "", false
		}
	}
	return s[:3] + " " + s[3:], true
}

// orList spells "KLMNP" as "K, L, M, N or P" for messages.
func orList(letters string) string {
	if len(letters) == 1 {
		return letters
	}
	parts := strings.Split(letters, "")
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// checkCents accepts zero: no income and no housing cost are real answers.
func checkCents(p *openflex.Problems, param string, cents int64) {
	if cents < 0 || cents > openflex.MaxAmount {
		p.Invalid(param, "%s must be a whole number of cents from 0 to %d", param, openflex.MaxAmount)
	}
}

func checkEnum(p *openflex.Problems, param, v string, allowed []string) {
	if v == "" {
		p.Missing(param)
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	p.Invalid(param, "%s must be one of %s", param, strings.Join(allowed, ", "))
}

// parseSIN returns the 9 digits of a Social Insurance Number written with
// or without spaces or hyphens. A SIN carries a Luhn check digit; none
// starts with 0 (never issued) or 8 (business numbers).
func parseSIN(s string) (string, bool) {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
	if len(digits) != 9 {
		return "", false
	}
	// LuhnValid also refuses anything that is not a digit.
	if digits[0] == '0' || digits[0] == '8' || !openflex.LuhnValid(digits) {
		return "", false
	}
	return digits, true
}

func checkConsent(p *openflex.Problems, c openflex.Consent) {
	if !c.CreditCheck {
		p.Invalid("consent.credit_check", "consent.credit_check must be true: the applicant must agree to a credit check")
	}
	if !c.TermsAccepted {
		p.Invalid("consent.terms_accepted", "consent.terms_accepted must be true: the applicant must accept the terms")
	}
}

func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }
