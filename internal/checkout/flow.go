package checkout

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/plans"
)

var provinces = []string{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}

func (p *Pages) applyView(s *session, form map[string]string, errs map[string]string) *view {
	v := p.view(s)
	v.Form, v.Errors = form, errs
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	v.Agreement = p.Agreement.view(s.lang)
	v.ProvinceSelect = v.sel("province", "province", provinces, func(x string) string { return x })
	v.EmploymentSelect = v.sel("employment_status", "employment", credit.EmploymentStatuses, func(x string) string { return t(s.lang, x) })
	v.HousingSelect = v.sel("housing_status", "housing", credit.HousingStatuses, func(x string) string { return t(s.lang, x) })
	return v
}

// applyForm shows the application, prefilled from what the merchant sent.
func (p *Pages) applyForm(w http.ResponseWriter, r *http.Request, s *session) error {
	if s.c.Flow == "buy" {
		http.Redirect(w, r, "/checkout/"+s.token+"/signin"+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	cu := s.c.Customer
	form := map[string]string{"first_name": cu.FirstName, "last_name": cu.LastName, "email": cu.Email, "phone": cu.Phone,
		"date_of_birth": cu.DateOfBirth, "line1": cu.Line1, "line2": cu.Line2, "city": cu.City, "province": cu.Province,
		"postal_code": cu.PostalCode}
	if form["province"] == "" {
		form["province"] = string(s.store.Province)
	}
	return p.render(w, "apply", p.applyView(s, form, nil), 200)
}

var applyFields = []string{"first_name", "middle_name", "last_name", "date_of_birth", "email", "phone", "line1", "line2", "city",
	"province", "postal_code", "annual_income", "employment_status", "housing_status", "monthly_housing_cost", "sin",
	"consent_credit_check", "consent_terms_accepted"}

func (p *Pages) apply(w http.ResponseWriter, r *http.Request, s *session) error {
	form := map[string]string{}
	for _, f := range applyFields {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	income, incomeOK := openflex.ParseDollars(form["annual_income"])
	housing, housingOK := openflex.ParseDollars(form["monthly_housing_cost"])
	a := openflex.Applicant{FirstName: form["first_name"], MiddleName: form["middle_name"], LastName: form["last_name"],
		DateOfBirth: form["date_of_birth"], Email: form["email"], Phone: form["phone"], AnnualIncome: income,
		EmploymentStatus: form["employment_status"], HousingStatus: form["housing_status"], MonthlyHousingCost: housing, SIN: form["sin"],
		Address: openflex.Address{Line1: form["line1"], Line2: form["line2"], City: form["city"],
			Province: openflex.Province(form["province"]), PostalCode: form["postal_code"]}}
	consent := openflex.Consent{CreditCheck: form["consent_credit_check"] == "1", TermsAccepted: form["consent_terms_accepted"] == "1",
		IP: p.ClientIP(r)}
	// Every problem at once: the form's own number parsing and the
	// application rules.
	check := a
	errs, _ := fieldErrors(credit.ValidateApplicant(&check, consent, s.c.Amount, s.svc.now().In(s.store.Location())), s.lang)
	if errs == nil {
		errs = map[string]string{}
	}
	for name, ok := range map[string]bool{"annual_income": incomeOK, "monthly_housing_cost": housingOK} {
		if !ok {
			errs[name] = t(s.lang, "amount_invalid")
		}
	}
	if len(errs) == 0 {
		app, acct, err := s.svc.Apply(r.Context(), s.c, a, consent, s.lang, s.store.Location())
		if err == nil && acct != nil && !s.c.Verified {
			// A repeat application found an existing account: its holder
			// signs in with a code, as on the sign-in page.
			ver, err := s.svc.SendCode(r.Context(), s.c, acct.Number, "sms")
			if err != nil {
				return err
			}
			v := p.view(s)
			v.SentTo, v.Decision = ver.SentTo, "existing"
			return p.render(w, "code", v, 200)
		}
		if err == nil {
			return p.decision(w, s, app, acct)
		}
		if openflex.ErrorCode(err) == openflex.CodeBureauUnavailable {
			v := p.view(s)
			v.Decision = "retry"
			return p.render(w, "decision", v, http.StatusServiceUnavailable)
		}
		fe, ok := fieldErrors(err, s.lang)
		if !ok {
			return err
		}
		errs = fe
	}
	// Problems with no field of their own on the form (the amount the
	// merchant asked for) are shown at the top.
	for name, msg := range errs {
		if name != "_" && !slices.Contains(applyFields, name) {
			delete(errs, name)
			errs["_"] = msg
		}
	}
	return p.render(w, "apply", p.applyView(s, form, errs), http.StatusUnprocessableEntity)
}

func (p *Pages) decision(w http.ResponseWriter, s *session, app *openflex.Application, acct *openflex.Account) error {
	v := p.view(s)
	v.Decision = string(app.Status)
	if acct != nil {
		v.Limit = openflex.FormatCAD(acct.CreditLimit, s.lang)
	}
	for _, rs := range app.Reasons {
		v.Reasons = append(v.Reasons, credit.ReasonMessage(rs.Code, s.lang))
	}
	if acct != nil {
		// Shown this once (this page answers the application's POST): with
		// the date of birth it signs the customer in to their own pages.
		n := acct.Number
		v.AccountNumber = n[0:4] + " " + n[4:8] + " " + n[8:12] + " " + n[12:]
	}
	return p.render(w, "decision", v, 200)
}

func (p *Pages) signinForm(w http.ResponseWriter, r *http.Request, s *session) error {
	if s.c.Flow == "apply" {
		http.Redirect(w, r, "/checkout/"+s.token+"/apply"+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	v := p.view(s)
	return p.render(w, "signin", v, 200)
}

// signin finds the shopper's account (by number, or by name, date of birth
// and postal code) and sends a code to the phone on file. The same
// message answers every miss, so the page does not reveal who has an account.
func (p *Pages) signin(w http.ResponseWriter, r *http.Request, s *session) error {
	v := p.view(s)
	for _, f := range []string{"account_number", "first_name", "last_name", "date_of_birth", "postal_code"} {
		v.Form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	number := strings.ReplaceAll(strings.ReplaceAll(v.Form["account_number"], " ", ""), "-", "")
	ctx := r.Context()
	if number == "" && v.Form["first_name"] != "" {
		accts, err := s.svc.Credit.Search(ctx, v.Form["first_name"], v.Form["last_name"], v.Form["date_of_birth"], v.Form["postal_code"])
		if err == nil && len(accts) == 1 {
			number = accts[0].Number
		}
	}
	if number == "" {
		v.Errors["_"] = t(s.lang, "not_found")
		return p.render(w, "signin", v, http.StatusUnprocessableEntity)
	}
	ver, err := s.svc.SendCode(ctx, s.c, number, "sms")
	switch code := openflex.ErrorCode(err); {
	case err == nil:
	case code == openflex.CodeResourceMissing || code == openflex.CodeParameterInvalid:
		v.Errors["_"] = t(s.lang, "not_found")
		return p.render(w, "signin", v, http.StatusUnprocessableEntity)
	case code == openflex.CodeRateLimited:
		v.Errors["_"] = tooManyCodes(s.lang, err)
		return p.render(w, "signin", v, http.StatusTooManyRequests)
	default:
		return err
	}
	v = p.view(s)
	v.SentTo = ver.SentTo
	return p.render(w, "code", v, 200)
}

func (p *Pages) code(w http.ResponseWriter, r *http.Request, s *session) error {
	err := s.svc.CheckCode(r.Context(), s.c, r.PostFormValue("code"))
	if err == nil {
		http.Redirect(w, r, "/checkout/"+s.token+"/plans"+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	fe, ok := fieldErrors(err, s.lang)
	if !ok {
		return err
	}
	v := p.view(s)
	if openflex.ErrorCode(err) == openflex.CodeRateLimited {
		v.SentTo = "•••"
		v.Errors["code"] = tooManyCodes(s.lang, err)
		return p.render(w, "code", v, http.StatusTooManyRequests)
	}
	v.Errors["code"] = fe["_"]
	if v.Errors["code"] == "" {
		for _, m := range fe {
			v.Errors["code"] = m
		}
	}
	v.SentTo = "•••"
	return p.render(w, "code", v, http.StatusUnprocessableEntity)
}

func (p *Pages) options(r *http.Request, s *session) ([]plans.Option, *openflex.Account, error) {
	acct, err := s.svc.Credit.Account(r.Context(), s.c.AccountNumber)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.svc.Store.Plans(r.Context(), s.c.MerchantID)
	if err != nil {
		return nil, nil, err
	}
	opts, err := plans.Options(all, s.svc.Env, acct, s.store.Province, s.c.Amount, s.lang)
	return opts, acct, err
}

func (p *Pages) plansPage(w http.ResponseWriter, r *http.Request, s *session) error {
	if !s.c.Verified {
		http.Redirect(w, r, "/checkout/"+s.token+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	opts, _, err := p.options(r, s)
	if err != nil {
		return err
	}
	v := p.view(s)
	// Nothing is pre-selected: the shopper chooses.
	for _, o := range opts {
		val := o.Plan.ID + ":" + strconv.Itoa(o.Term.Months)
		// The interest rate and the fee before the APR, so "0 %" in a plan's
		// name and an APR above it are both explained.
		// (A deferred plan's rate applies only if it is not paid in time; its
		// name and disclosure say so.)
		facts := ""
		if o.Quote.Terms.Category == finance.EqualPayments {
			facts = t(s.lang, "interest") + " " + finance.FormatPercent(o.Quote.Terms.AnnualRate, s.lang) + " · "
		}
		if fee := o.Quote.Terms.AdminFee; fee > 0 {
			key := "admin_fee"
			if o.Quote.Terms.FeeKind == finance.FeeMonthly {
				key = "admin_fee_monthly"
			}
			facts += t(s.lang, key) + " " + openflex.FormatCAD(fee, s.lang) + " · "
		}
		facts += t(s.lang, "apr") + " " + finance.FormatPercent(o.Quote.APR, s.lang) + " · " + t(s.lang, "cost") + " " +
			openflex.FormatCAD(o.Quote.TotalCostOfBorrowing, s.lang)
		if o.Quote.Terms.Category == finance.Regular {
			facts = t(s.lang, "revolving") + " " + finance.FormatPercent(o.Quote.Terms.AnnualRate, s.lang) + " " + t(s.lang, "annual_rate")
		}
		v.Options = append(v.Options, optionView{Value: val, Name: o.Plan.NameIn(s.lang), Monthly: openflex.FormatCAD(o.Quote.MonthlyPayment, s.lang),
			Facts: facts, Disclosure: o.Quote.Disclosure, Checked: val == s.c.PlanID+":"+strconv.Itoa(s.c.TermMonths)})
	}
	return p.render(w, "plans", v, 200)
}

func (p *Pages) choosePlan(w http.ResponseWriter, r *http.Request, s *session) error {
	planID, months, _ := strings.Cut(r.PostFormValue("option"), ":")
	m, _ := strconv.Atoi(months)
	opts, _, err := p.options(r, s)
	if err != nil {
		return err
	}
	for _, o := range opts {
		if o.Plan.ID == planID && o.Term.Months == m {
			if err := s.svc.ChoosePlan(r.Context(), s.c, planID, m); err != nil {
				return err
			}
			http.Redirect(w, r, "/checkout/"+s.token+"/confirm"+p.view(s).Q, http.StatusSeeOther)
			return nil
		}
	}
	http.Redirect(w, r, "/checkout/"+s.token+"/plans"+p.view(s).Q, http.StatusSeeOther)
	return nil
}

// chosen re-checks the chosen plan now (eligibility may have changed).
func (p *Pages) chosen(r *http.Request, s *session) (*plans.Option, error) {
	if s.c.PlanID == "" {
		return nil, nil
	}
	opts, _, err := p.options(r, s)
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		if o.Plan.ID == s.c.PlanID && o.Term.Months == s.c.TermMonths {
			return &o, nil
		}
	}
	return nil, nil
}

func (p *Pages) confirmPage(w http.ResponseWriter, r *http.Request, s *session) error {
	o, err := p.chosen(r, s)
	if err != nil {
		return err
	}
	if o == nil || !s.c.Verified {
		http.Redirect(w, r, "/checkout/"+s.token+"/plans"+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	v := p.view(s)
	v.AccountTail = s.c.AccountNumber[len(s.c.AccountNumber)-4:]
	v.PlanName, v.Monthly, v.Disclosure = o.Plan.NameIn(s.lang), openflex.FormatCAD(o.Quote.MonthlyPayment, s.lang), o.Quote.Disclosure
	if len(o.Quote.Payments) > 0 && o.Quote.Payments[0].Amount != o.Quote.MonthlyPayment {
		v.FirstPayment = openflex.FormatCAD(o.Quote.Payments[0].Amount, s.lang)
	}
	return p.render(w, "confirm", v, 200)
}

// confirm creates the authorization. Confirming twice (a refresh, a double
// click) finds the checkout completed and goes on to the store: one
// authorization, always.
func (p *Pages) confirm(w http.ResponseWriter, r *http.Request, s *session) error {
	o, err := p.chosen(r, s)
	if err != nil {
		return err
	}
	if o == nil {
		http.Redirect(w, r, "/checkout/"+s.token+"/plans"+p.view(s).Q, http.StatusSeeOther)
		return nil
	}
	choice := &lending.FinancingChoice{PlanID: o.Plan.ID, TermMonths: o.Term.Months}
	if err := s.svc.Confirm(r.Context(), s.c, choice, s.store.Province, s.lang); err != nil {
		fe, ok := fieldErrors(err, s.lang)
		if !ok {
			return err
		}
		v := p.view(s)
		for _, m := range fe {
			v.Errors["_"] = m
		}
		v.AccountTail = s.c.AccountNumber[len(s.c.AccountNumber)-4:]
		v.PlanName, v.Monthly, v.Disclosure = o.Plan.NameIn(s.lang), openflex.FormatCAD(o.Quote.MonthlyPayment, s.lang), o.Quote.Disclosure
		return p.render(w, "confirm", v, http.StatusUnprocessableEntity)
	}
	p.completed(w, r, s)
	return nil
}
