package till

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/web"
)

// Money-moving forms (authorize, capture, release, return) each carry a
// nonce drawn when the form was shown. It is the idempotency key of the
// post, in the data plane's idempotency records: a double click or a
// re-sent post replays the first answer (a redirect to the authorization)
// instead of moving money twice. A refused post keeps nothing, so the
// clerk may correct the form and send it again.

// nonceField names the hidden field carrying a form's nonce.
const nonceField = "nonce"

func newNonce() string { return rand.Text() }

// errInFlight is the answer to the second of two concurrent posts of one
// form.
var errInFlight = &openflex.Error{Code: openflex.CodeIdempotencyInUse, Message: "this form is already being processed"}

// once runs do at most once per form nonce and redirects to the location
// it returns, or to the first post's location on a replay.
func (p *Till) once(w http.ResponseWriter, r *http.Request, pg *web.Page, env openflex.Environment, do func(ctx context.Context) (string, error)) error {
	nonce := pg.Form.Get(nonceField)
	if nonce == "" || len(nonce) > 64 || !openflex.ValidIdempotencyKey(nonce) {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: nonceField, Message: pg.T("till.err.form_expired")}
	}
	body := pg.Form.Fields()
	req := openflex.IdempotentRequest{MerchantID: pg.Merchant.ID, Key: "portal:" + nonce, Method: r.Method, Path: r.URL.Path,
		Hash: openflex.FingerprintRequest(r.Method, r.URL.Path, []byte(body.Encode()))}
	resp, _, err := p.cfg.Idempotency(env).Idempotent(r.Context(), req, nil,
		func(ctx context.Context) (openflex.StoredResponse, error) {
			to, err := do(ctx)
			if err != nil {
				return openflex.StoredResponse{}, err
			}
			return openflex.StoredResponse{Status: http.StatusSeeOther, Body: []byte(to)}, nil
		},
		func(error) (openflex.StoredResponse, bool) { return openflex.StoredResponse{}, false })
	switch openflex.ErrorCode(err) {
	case "":
		return web.Redirect(w, r, web.LocalPath(string(resp.Body)))
	case openflex.CodeIdempotencyInUse:
		return errInFlight
	case openflex.CodeIdempotencyReused:
		return &openflex.Error{Code: openflex.CodeIdempotencyReused, Message: pg.T("till.err.form_reused")}
	}
	return err
}

// tillAuthorize holds the amount on the customer's account, consuming the
// passed verification, with the chosen plan and term if any.
func (p *Till) tillAuthorize(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	ctx, f := r.Context(), pg.Form
	a, err := p.account(ctx, tl, f.Get("account"))
	if err != nil {
		return err
	}
	d := &saleData{till: tl, Customer: viewOf(a), Step: "options", VerifyID: f.Get("verification"), AmountText: f.Get("amount")}
	amount, err := strconv.ParseInt(f.Get("amount"), 10, 64)
	if err != nil || openflex.CheckAmount("amount", amount, false) != nil {
		d.Step = "amount"
		f.Fail("amount", pg.T("till.err.amount"))
		return p.renderSale(w, pg, http.StatusBadRequest, d)
	}
	d.Amount, d.AmountText = amount, formatPlain(amount)
	req := lending.AuthorizeRequest{MerchantID: pg.Merchant.ID, StoreID: tl.Store.ID, AccountNumber: a.Number, Amount: amount,
		Currency: openflex.CAD, AutoCapture: f.Has("auto_capture", "on"), Reference: f.Get("reference"), Channel: "in_store",
		VerificationID: d.VerifyID, EmployeeID: pg.User.ID}
	if len(req.Reference) > 255 {
		f.Fail("reference", pg.T("till.err.reference_long"))
	}
	if opt := f.Get("option"); opt != "" {
		// Lending decides whether the plan may finance this sale (a
		// refusal comes back as plan_not_available, see saleError).
		planID, months, _ := strings.Cut(opt, ":")
		n, err := strconv.Atoi(months)
		if err != nil || !strings.HasPrefix(planID, openflex.PrefixPlan+"_") || n < 0 {
			f.Fail("option", pg.T("till.err.plan_not_available"))
		}
		req.Financing, req.Province, req.Language = &lending.FinancingChoice{PlanID: planID, TermMonths: n}, tl.Store.Province, pg.Lang
	}
	if f.OK() {
		err = p.once(w, r, pg, tl.Env, func(ctx context.Context) (string, error) {
			v, err := p.cfg.Planes[tl.Env].Lending.Authorize(ctx, req)
			if err != nil {
				return "", err
			}
			return tl.Base + "/authorizations/" + v.ID + "?done=till_authorized", nil
		})
		if err == nil {
			return nil
		}
		if !p.saleError(pg, err) {
			return err
		}
	}
	if err := p.fillOptions(ctx, pg, d, a); err != nil {
		return err
	}
	return p.renderSale(w, pg, http.StatusBadRequest, d)
}

// formatPlain is cents as the amount field takes them back: "500.00".
func formatPlain(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}

// saleError puts a refused authorization's reason, in plain language,
// next to the form, and reports whether it did.
func (p *Till) saleError(pg *web.Page, err error) bool {
	f := pg.Form
	if e := (*openflex.Error)(nil); errors.As(err, &e) && e.Param == nonceField {
		f.Fail("verification", pg.T("till.err.form_expired"))
		return true
	}
	switch openflex.ErrorCode(err) {
	case openflex.CodeInsufficientCred:
		f.Fail("amount", pg.T("till.err.insufficient"))
	case openflex.CodeVerifyFailed, openflex.CodeVerifyRequired:
		f.Fail("verification", pg.T("till.err.verification_used"))
	case openflex.CodeAccountNotGood:
		f.Fail("verification", pg.T("till.err.account_not_good"))
	case openflex.CodePlanNotAvailable:
		f.Fail("option", pg.T("till.err.plan_not_available"))
	case openflex.CodeIdempotencyInUse:
		f.Fail("verification", pg.T("till.err.in_flight"))
	case openflex.CodeIdempotencyReused, openflex.CodeParameterInvalid, openflex.CodeParameterMissing:
		f.Fail("verification", pg.T("till.err.form_reused"))
	default:
		return false
	}
	return true
}

type authData struct {
	*till
	Auth      *lending.AuthorizationView
	Customer  customerView
	Remaining int64
	// Nonces of the page's forms: capture, release, and one return form
	// per capture (by capture id).
	CaptureNonce, ReleaseNonce string
	ReturnNonces               map[string]string
	// PlanName names the financing plan; Disclosure is its text in the
	// screen's language when the plan's terms are still those disclosed,
	// else the text as disclosed, in DisclosureLang.
	PlanName, Disclosure, DisclosureLang string
	// CapturedDisclosure is the same terms worded for what was captured,
	// when that differs from the authorized amount the disclosure names
	// (the account finances what was captured); "" when the plan changed
	// since, and only the note says so.
	CapturedDisclosure string
}

// ownAuthorization returns the merchant's authorization made at this
// store; any other id is not found.
func (p *Till) ownAuthorization(ctx context.Context, pg *web.Page, tl *till, id string) (*lending.AuthorizationView, error) {
	v, err := p.cfg.Planes[tl.Env].Lending.Authorization(ctx, pg.Merchant.ID, id)
	if err != nil {
		return nil, err
	}
	if v.MerchantID != pg.Merchant.ID || v.StoreID != tl.Store.ID {
		return nil, openflex.NotFound("authorization", id)
	}
	return v, nil
}

func (p *Till) renderAuth(w http.ResponseWriter, r *http.Request, pg *web.Page, tl *till, status int) error {
	v, err := p.ownAuthorization(r.Context(), pg, tl, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := authData{till: tl, Auth: v, Remaining: v.Remaining(), CaptureNonce: newNonce(), ReleaseNonce: newNonce(), ReturnNonces: map[string]string{}}
	if a, err := p.cfg.Planes[tl.Env].Credit.Account(r.Context(), v.AccountNumber); err == nil {
		d.Customer = viewOf(a)
	} else if openflex.ErrorCode(err) != openflex.CodeResourceMissing {
		return err
	}
	for _, c := range v.Captures {
		d.ReturnNonces[c.ID] = newNonce()
	}
	if v.Financing != nil {
		if err := p.describeFinancing(r.Context(), pg, &d); err != nil {
			return err
		}
	}
	pg.Title = "till.auth_title"
	p.Render(w, pg, status, "till_auth", d)
	return nil
}

// tillAuthorization shows an authorization with its capture, release and
// return forms.
func (p *Till) tillAuthorization(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	return p.renderAuth(w, r, pg, tl, http.StatusOK)
}

// authError puts a refused capture, release or return next to its form
// (field is the form's error key), and reports whether it did.
func (p *Till) authError(pg *web.Page, field string, err error) bool {
	key := ""
	if e := (*openflex.Error)(nil); errors.As(err, &e) && e.Param == nonceField {
		pg.Form.Fail(field, pg.T("till.err.form_expired"))
		return true
	}
	switch openflex.ErrorCode(err) {
	case openflex.CodeAmountExceeds:
		key = "till.err.amount_exceeds"
	case openflex.CodeReturnExceeds:
		key = "till.err.return_exceeds"
	case openflex.CodeAuthNotOpen:
		key = "till.err.not_open"
	case openflex.CodeIdempotencyInUse:
		key = "till.err.in_flight"
	case openflex.CodeIdempotencyReused, openflex.CodeParameterInvalid, openflex.CodeParameterMissing:
		key = "till.err.form_reused"
	default:
		return false
	}
	pg.Form.Fail(field, pg.T(key))
	return true
}

// amountField reads an optional amount field: empty is 0 ("all").
func amountField(pg *web.Page, field string) (int64, bool) {
	s := pg.Form.Get(field)
	if s == "" {
		return 0, true
	}
	c, ok := parseCents(s)
	if !ok {
		pg.Form.Fail(field, pg.T("till.err.amount"))
	}
	return c, ok
}

// tillCapture posts part (or, with no amount, all) of the authorization;
// final releases what remains.
func (p *Till) tillCapture(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	id := r.PathValue("id")
	if _, err := p.ownAuthorization(r.Context(), pg, tl, id); err != nil {
		return err
	}
	amount, ok := amountField(pg, "capture_amount")
	if ok {
		err := p.once(w, r, pg, tl.Env, func(ctx context.Context) (string, error) {
			_, _, err := p.cfg.Planes[tl.Env].Lending.Capture(ctx, pg.Merchant.ID, id, amount, "", pg.Form.Has("final", "on"))
			return tl.Base + "/authorizations/" + id + "?done=till_captured", err
		})
		if err == nil || !p.authError(pg, "capture_amount", err) {
			return err
		}
	}
	return p.renderAuth(w, r, pg, tl, http.StatusBadRequest)
}

// tillRelease frees what is still held on the authorization.
func (p *Till) tillRelease(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	id := r.PathValue("id")
	if _, err := p.ownAuthorization(r.Context(), pg, tl, id); err != nil {
		return err
	}
	err := p.once(w, r, pg, tl.Env, func(ctx context.Context) (string, error) {
		_, err := p.cfg.Planes[tl.Env].Lending.Release(ctx, pg.Merchant.ID, id)
		return tl.Base + "/authorizations/" + id + "?done=till_released", err
	})
	if err == nil || !p.authError(pg, "release", err) {
		return err
	}
	return p.renderAuth(w, r, pg, tl, http.StatusBadRequest)
}

// tillReturn gives back part (amount) or all (full) of a capture.
func (p *Till) tillReturn(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	tl, ok := p.scope(w, r, pg)
	if !ok {
		return nil
	}
	id, capID := r.PathValue("id"), r.PathValue("capture")
	v, err := p.ownAuthorization(r.Context(), pg, tl, id)
	if err != nil {
		return err
	}
	found := false
	for _, c := range v.Captures {
		found = found || c.ID == capID
	}
	if !found {
		return openflex.NotFound("capture", capID)
	}
	field := "return." + capID
	full := pg.Form.Has("full", "on")
	var amount int64
	ok = true
	if utf8.RuneCountInString(pg.Form.Get("reason")) > 500 {
		pg.Form.Fail(field, pg.T("till.err.reason_long"))
		ok = false
	} else if !full {
		if amount, ok = parseCents(pg.Form.Get("amount")); !ok {
			pg.Form.Fail(field, pg.T("till.err.return_amount"))
		}
	}
	if ok {
		err := p.once(w, r, pg, tl.Env, func(ctx context.Context) (string, error) {
			_, err := p.cfg.Planes[tl.Env].Lending.Return(ctx, lending.ReturnRequest{MerchantID: pg.Merchant.ID, CaptureID: capID,
				Amount: amount, Full: full, Reason: pg.Form.Get("reason")})
			return tl.Base + "/authorizations/" + id + "?done=till_returned", err
		})
		if err == nil || !p.authError(pg, field, err) {
			return err
		}
	}
	return p.renderAuth(w, r, pg, tl, http.StatusBadRequest)
}

// describeFinancing names the authorization's plan and words its
// disclosure in the screen's language. The disclosure is what the customer
// agreed to: it is re-worded only when quoting the plan's current terms
// for the authorized amount gives the same text as was disclosed (in
// either language), so a plan changed since is never misrepresented.
func (p *Till) describeFinancing(ctx context.Context, pg *web.Page, d *authData) error {
	fin := d.Auth.Financing
	d.PlanName, d.Disclosure = fin.PlanID, fin.Disclosure
	all, err := p.cfg.Catalog.Plans(ctx, d.Env, pg.Merchant.ID)
	if err != nil {
		return err
	}
	for _, pl := range all {
		if pl.ID != fin.PlanID {
			continue
		}
		d.PlanName = pl.NameIn(pg.Lang)
		for _, term := range pl.Terms {
			if term.Months != fin.TermMonths {
				continue
			}
			same := false
			for _, lang := range web.Languages() {
				if q, err := finance.NewQuote(d.Auth.Amount, plans.Terms(pl, term), lang); err == nil && q.Disclosure == fin.Disclosure {
					same = true
				}
			}
			if q, err := finance.NewQuote(d.Auth.Amount, plans.Terms(pl, term), pg.Lang); err == nil && same {
				d.Disclosure = q.Disclosure
				if c := d.Auth.CapturedAmount; c > 0 && c != d.Auth.Amount {
					if cq, err := finance.NewQuote(c, plans.Terms(pl, term), pg.Lang); err == nil {
						d.CapturedDisclosure = cq.Disclosure
					}
				}
				return nil
			}
		}
	}
	// Not re-worded: say which language the text is in, when it is not the page's.
	if pg.Lang == "fr" && !looksFrench(fin.Disclosure) {
		d.DisclosureLang = "en"
	} else if pg.Lang == "en" && looksFrench(fin.Disclosure) {
		d.DisclosureLang = "fr"
	}
	return nil
}

// looksFrench tells a French disclosure from an English one by its
// amounts: French writes "1 299,99 $" (a no-break space before the sign),
// English "$1,299.99".
func looksFrench(s string) bool { return strings.Contains(s, "\u00a0$") }
