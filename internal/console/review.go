package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/credit"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/web"
)

// Lender staff review the credit applications the policy sent to manual
// review (status pending): a list per environment, one application's file
// with personal data masked down to what a credit decision needs, and
// approve (with the policy's limit or another) or decline (with reasons).
// The decision is credit.Service.Decide, the same call as the CLI's
// `openflex applications decide`; every decision is audited.

func (p *Console) reviewRoutes() {
	m := p.Site
	m.Handle("GET /portal/admin/applications", http.RedirectHandler("/portal/admin/applications/production", http.StatusSeeOther))
	m.Handle("GET /portal/admin/applications/{env}", p.Admin(p.reviewList))
	m.Handle("GET /portal/admin/applications/{env}/{id}", p.Admin(p.reviewShow))
	m.Handle("POST /portal/admin/applications/{env}/{id}/approve", p.Admin(p.reviewApprove))
	m.Handle("POST /portal/admin/applications/{env}/{id}/decline", p.Admin(p.reviewDecline))
	m.Handle("POST /portal/admin/applications/{env}/{id}/separate", p.Admin(p.reviewSeparate))
}

func (p *Console) reviewEnv(r *http.Request) (openflex.Environment, error) {
	env, ok := openflex.ParseEnvironment(r.PathValue("env"))
	if !ok {
		return "", openflex.NotFound("page", r.URL.Path)
	}
	return env, nil
}

type reviewRow struct {
	*openflex.Application
	Merchant string
}

type reviewListData struct {
	Env  openflex.Environment
	Envs []openflex.Environment
	Apps []reviewRow
}

// reviewList lists one environment's pending applications, oldest first.
func (p *Console) reviewList(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := p.reviewEnv(r)
	if err != nil {
		return err
	}
	apps, err := p.cfg.Credit(env).Pending(r.Context(), 100)
	if err != nil {
		return err
	}
	d := reviewListData{Env: env, Envs: openflex.Environments}
	names := map[string]string{}
	for _, a := range apps {
		if _, ok := names[a.MerchantID]; !ok {
			names[a.MerchantID] = a.MerchantID
			if m, err := p.cfg.Control.Merchant(r.Context(), a.MerchantID); err == nil {
				names[a.MerchantID] = m.Name
			}
		}
		d.Apps = append(d.Apps, reviewRow{a, names[a.MerchantID]})
	}
	pg.Title, pg.Nav = "review.title", "review"
	p.Render(w, pg, http.StatusOK, "review_list", d)
	return nil
}

// reviewView is the file a reviewer sees. It shows what a credit
// decision needs (income, housing, employment, age, province, the bureau
// score) and masks what identifies the person beyond that: initials, the
// first half of the postal code, the email's domain, the phone's last
// four digits; never the date of birth, the street address or the SIN.
type reviewView struct {
	Env           openflex.Environment
	App           *openflex.Application
	Merchant      string
	Initials      string
	Age           int
	Province      openflex.Province
	PostalPrefix  string
	EmailDomain   string
	PhoneLast4    string
	HasSIN        bool
	Income        int64
	Employment    string
	Housing       string
	HousingCost   int64
	PolicyLimit   int64
	PolicyRisk    openflex.RiskCategory
	LimitText     string
	Reasons       []string
	ReasonsChosen map[string]bool
	Why           []openflex.Reason // why the policy sent it to review
}

func (p *Console) reviewFile(ctx context.Context, env openflex.Environment, id string) (*reviewView, error) {
	f, err := p.cfg.Credit(env).Review(ctx, id)
	if err != nil {
		return nil, err
	}
	a := f.Customer.Applicant
	v := &reviewView{Env: env, App: f.Application, Merchant: f.Application.MerchantID, Initials: initial(a.FirstName) + " " + initial(a.LastName),
		Province: a.Address.Province, Income: a.AnnualIncome, Employment: a.EmploymentStatus, Housing: a.HousingStatus,
		HousingCost: a.MonthlyHousingCost, HasSIN: a.SIN != "", PolicyLimit: f.PolicyLimit, PolicyRisk: f.PolicyRisk,
		Reasons: credit.ReviewReasons, ReasonsChosen: map[string]bool{}, Why: f.Application.Reasons}
	if m, err := p.cfg.Control.Merchant(ctx, f.Application.MerchantID); err == nil {
		v.Merchant = m.Name
	}
	if prefix, _, ok := strings.Cut(a.Address.PostalCode, " "); ok {
		v.PostalPrefix = prefix
	}
	if _, domain, ok := strings.Cut(a.Email, "@"); ok {
		v.EmailDomain = domain
	}
	if n := len(a.Phone); n >= 4 {
		v.PhoneLast4 = a.Phone[n-4:]
	}
	if dob, err := time.Parse(time.DateOnly, a.DateOfBirth); err == nil {
		now := p.Now()
		v.Age = now.Year() - dob.Year()
		if now.YearDay() < dob.YearDay() {
			v.Age--
		}
	}
	v.LimitText = finance.FormatCAD(f.PolicyLimit, "en")
	return v, nil
}

func initial(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return ""
	}
	return strings.ToUpper(string(r)) + "."
}

func (p *Console) reviewShow(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := p.reviewEnv(r)
	if err != nil {
		return err
	}
	v, err := p.reviewFile(r.Context(), env, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.LimitText = strings.TrimSuffix(strings.TrimPrefix(finance.FormatCAD(v.PolicyLimit, pg.Lang), "$"), "\u00a0$")
	return p.renderReview(w, pg, http.StatusOK, v)
}

func (p *Console) renderReview(w http.ResponseWriter, pg *web.Page, status int, v *reviewView) error {
	pg.Title, pg.Nav = "review.file_title", "review"
	p.Render(w, pg, status, "review", v)
	return nil
}

// reviewApprove approves with the limit typed (in dollars), which starts
// as the policy's.
func (p *Console) reviewApprove(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := p.reviewEnv(r)
	if err != nil {
		return err
	}
	v, err := p.reviewFile(r.Context(), env, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.LimitText = pg.Form.Get("credit_limit")
	limit, ok := web.ParseCents(v.LimitText)
	if !ok {
		pg.Form.Fail("credit_limit", pg.T("review.err.limit"))
		return p.renderReview(w, pg, http.StatusBadRequest, v)
	}
	return p.settle(w, r, pg, v, openflex.ApplicationApproved, limit, nil)
}

// reviewDecline declines with the reasons ticked (at least one).
func (p *Console) reviewDecline(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := p.reviewEnv(r)
	if err != nil {
		return err
	}
	v, err := p.reviewFile(r.Context(), env, r.PathValue("id"))
	if err != nil {
		return err
	}
	reasons := pg.Form.All("reason")
	for _, rs := range reasons {
		v.ReasonsChosen[rs] = true
	}
	if len(reasons) == 0 {
		pg.Form.Fail("reason", pg.T("review.err.reasons"))
		return p.renderReview(w, pg, http.StatusBadRequest, v)
	}
	return p.settle(w, r, pg, v, openflex.ApplicationDeclined, 0, reasons)
}

// reviewSeparate opens an account of its own for a repeat application:
// staff's deliberate choice, with the reason audited.
func (p *Console) reviewSeparate(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, err := p.reviewEnv(r)
	if err != nil {
		return err
	}
	v, err := p.reviewFile(r.Context(), env, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.LimitText = pg.Form.Get("credit_limit")
	limit, ok := web.ParseCents(v.LimitText)
	if !ok {
		pg.Form.Fail("credit_limit", pg.T("review.err.limit"))
	}
	reason := strings.TrimSpace(pg.Form.Get("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		pg.Form.Fail("reason", pg.T("review.err.separate_reason"))
	}
	if !ok || reason == "" || utf8.RuneCountInString(reason) > 500 {
		return p.renderReview(w, pg, http.StatusBadRequest, v)
	}
	return p.settleWith(w, r, pg, v, openflex.ApplicationApproved, nil, reason, func(ctx context.Context) (*openflex.Application, *openflex.Account, error) {
		return p.cfg.Credit(v.Env).OpenSeparate(ctx, v.App.ID, limit, reason)
	})
}

func (p *Console) settle(w http.ResponseWriter, r *http.Request, pg *web.Page, v *reviewView, status openflex.ApplicationStatus, limit int64, reasons []string) error {
	return p.settleWith(w, r, pg, v, status, reasons, "", func(ctx context.Context) (*openflex.Application, *openflex.Account, error) {
		// Decide checks the status again under its transaction: of two
		// reviewers deciding at once, one gets parameter_invalid.
		return p.cfg.Credit(v.Env).Decide(ctx, "", v.App.ID, status, limit, reasons...)
	})
}

func (p *Console) settleWith(w http.ResponseWriter, r *http.Request, pg *web.Page, v *reviewView, status openflex.ApplicationStatus, reasons []string, separate string,
	decide func(context.Context) (*openflex.Application, *openflex.Account, error)) error {
	ctx := r.Context()
	if v.App.Status != openflex.ApplicationPending {
		pg.Form.Fail("decision", pg.T("review.err.decided"))
		return p.renderReview(w, pg, http.StatusConflict, v)
	}
	app, acct, err := decide(ctx)
	var e *openflex.Error
	switch {
	case err == nil:
	case errors.As(err, &e) && e.Code == openflex.CodeParameterInvalid:
		pg.Form.Fail("decision", e.Message)
		return p.renderReview(w, pg, http.StatusBadRequest, v)
	default:
		return err
	}
	detail := string(v.Env) + " " + string(app.Status)
	if acct != nil {
		detail += ", limit " + finance.FormatCAD(acct.CreditLimit, "en") + ", account ••••" + acct.Number[len(acct.Number)-4:]
	}
	if len(reasons) > 0 {
		detail += ": " + strings.Join(reasons, ", ")
	}
	action := "application." + string(app.Status)
	if separate != "" {
		action, detail = "application.separate_account", detail+"; separate account, repeat of "+app.RepeatOf+": "+separate
	}
	// The decision is made; a failed audit write is an alarm, not a
	// reason to pretend it was not.
	if err := p.cfg.Control.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: "admin:" + pg.User.ID,
		Action: action, MerchantID: app.MerchantID, ObjectID: app.ID, Detail: detail, RemoteAddr: web.RemoteHost(r)}); err != nil {
		p.Logger().ErrorContext(ctx, "portal: audit of an application decision failed", "application", app.ID, "err", err)
	}
	return web.Redirect(w, r, "/portal/admin/applications/"+string(v.Env)+"?done=application_"+string(app.Status))
}
