package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
	"github.com/openflex/openflex/internal/plans"
	"github.com/openflex/openflex/internal/web"
)

// PlanFees changes a financing plan's merchant fee in one environment's
// data plane. The Catalog provides it (sqlstore.Stores does); without it
// the admin console's Plans pages are not served.
type PlanFees interface {
	SetPlanMerchantFee(ctx context.Context, env openflex.Environment, merchantID, id string, f openflex.MerchantFee) (*openflex.Plan, error)
}

// The refund-on-return choices of the fee form.
const (
	refundProRata = "pro_rata"
	refundNone    = "none"
)

type adminPlansData struct {
	Merchant *openflex.Merchant
	Env      openflex.Environment
	Plans    []adminPlanView
	// Failed is the plan whose fee form was refused; its fields show the
	// typed values and the errors.
	Failed string
	// Saved is the plan whose fee was just saved, and Done the
	// confirmation, shown under that plan's heading: the redirect scrolls
	// there, so the page's top is out of view.
	Saved, Done string
}

type adminPlanView struct {
	*openflex.Plan
	Terms     []string
	Fee       string // the fee as read
	Amounts   string
	FeeBps    string // the form's values
	FeeFixed  string
	FeeRefund string
}

func (p *Console) planFees() (PlanFees, bool) {
	f, ok := p.cfg.Catalog.(PlanFees)
	return f, ok
}

// adminPlans lists a merchant's plans of one environment with their
// merchant fees, each with a form to change its fee.
func (p *Console) adminPlans(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env := openflex.Production
	if v := r.URL.Query().Get("env"); v != "" {
		var ok bool
		if env, ok = openflex.ParseEnvironment(v); !ok {
			return openflex.NotFound("page", r.URL.Path)
		}
	}
	return p.renderAdminPlans(w, r, pg, env, http.StatusOK, "")
}

func (p *Console) renderAdminPlans(w http.ResponseWriter, r *http.Request, pg *web.Page, env openflex.Environment, status int, failed string) error {
	if _, ok := p.planFees(); !ok {
		return openflex.NotFound("page", r.URL.Path)
	}
	m, err := p.cfg.Control.Merchant(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	all, err := p.cfg.Catalog.Plans(r.Context(), env, m.ID)
	if err != nil {
		return err
	}
	d := adminPlansData{Merchant: m, Env: env, Failed: failed}
	if saved := r.URL.Query().Get("saved"); pg.Flash != "" && saved != "" {
		d.Saved, d.Done, pg.Flash = saved, pg.Flash, ""
	}
	for _, pl := range all {
		v := adminPlanView{Plan: pl, Fee: feeText(pl.MerchantFee, pg.Lang, pg.T), Amounts: amountsText(pl, pg.Lang, pg.T),
			FeeBps: strconv.FormatInt(pl.MerchantFee.Bps, 10), FeeFixed: openflex.FormatCAD(pl.MerchantFee.Fixed, "en"), FeeRefund: refundProRata}
		if pl.MerchantFee.NoRefund {
			v.FeeRefund = refundNone
		}
		if pl.ID == failed {
			v.FeeBps, v.FeeFixed, v.FeeRefund = pg.Form.Get("bps"), pg.Form.Get("fixed"), pg.Form.Get("refund")
		}
		for _, t := range pl.Terms {
			v.Terms = append(v.Terms, pg.T("plans.term", t.Months, finance.FormatPercent(finance.Percent(t.AnnualRate), pg.Lang)))
		}
		d.Plans = append(d.Plans, v)
	}
	pg.Title, pg.Nav = "plans.title", "admin"
	p.Render(w, pg, status, "admin_plans", d)
	return nil
}

// feeText reads a merchant fee out: "6.00% + $0.30 per purchase, refunded
// pro rata on returns".
func feeText(f openflex.MerchantFee, lang string, t func(string, ...any) string) string {
	refund := "plans.fee_refunded"
	if f.NoRefund {
		refund = "plans.fee_kept"
	}
	return t("plans.fee", formatBps(f.Bps, lang), openflex.FormatCAD(f.Fixed, lang), t(refund))
}

// formatBps reads basis points as a percentage with two decimals, as fee
// schedules print them: "6.00%", "6,00 %" in French.
func formatBps(bps int64, lang string) string {
	if finance.IsFrench(lang) {
		return fmt.Sprintf("%d,%02d\u00a0%%", bps/100, bps%100)
	}
	return fmt.Sprintf("%d.%02d%%", bps/100, bps%100)
}

// amountsText reads a plan's purchase bounds; 0 is no bound.
func amountsText(p *openflex.Plan, lang string, t func(string, ...any) string) string {
	cad := func(c int64) string { return openflex.FormatCAD(c, lang) }
	switch {
	case p.MinAmount > 0 && p.MaxAmount > 0:
		return t("plans.amounts_between", cad(p.MinAmount), cad(p.MaxAmount))
	case p.MinAmount > 0:
		return t("plans.amounts_from", cad(p.MinAmount))
	case p.MaxAmount > 0:
		return t("plans.amounts_up_to", cad(p.MaxAmount))
	}
	return t("plans.amounts_any")
}

// adminSetPlanFee sets one plan's merchant fee. Authorizations copy their
// plan's fee when they are made, so the new fee applies to purchases
// authorized from now on; open purchases keep the fee they were sold with.
// A refused form changes nothing and shows the page again with its errors.
func (p *Console) adminSetPlanFee(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	fees, ok := p.planFees()
	env, okEnv := openflex.ParseEnvironment(r.PathValue("env"))
	if !ok || !okEnv {
		return openflex.NotFound("page", r.URL.Path)
	}
	merchantID, planID := r.PathValue("id"), r.PathValue("plan")
	old, err := p.plan(r.Context(), env, merchantID, planID)
	if err != nil {
		return err
	}
	var f openflex.MerchantFee
	bps, err := strconv.ParseInt(pg.Form.Get("bps"), 10, 64)
	if err != nil || bps < 0 || bps > openflex.MaxMerchantFeeBps {
		pg.Form.Fail("bps", pg.T("plans.err_bps", openflex.MaxMerchantFeeBps))
	}
	f.Bps = bps
	fixed, ok := int64(0), true
	if s := pg.Form.Get("fixed"); s != "" {
		fixed, ok = openflex.ParseDollars(s)
	}
	if !ok {
		pg.Form.Fail("fixed", pg.T("plans.err_fixed"))
	}
	f.Fixed = fixed
	switch pg.Form.Get("refund") {
	case refundProRata:
	case refundNone:
		f.NoRefund = true
	default:
		pg.Form.Fail("refund", pg.T("plans.err_refund"))
	}
	if !pg.Form.OK() {
		return p.renderAdminPlans(w, r, pg, env, http.StatusBadRequest, old.ID)
	}
	if err := plans.CheckMerchantFee(f); err != nil {
		return err // the checks above are the same; this keeps them so
	}
	saved, err := fees.SetPlanMerchantFee(r.Context(), env, merchantID, old.ID, f)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("%s: %s (was %s)", env, feeDetail(saved.MerchantFee), feeDetail(old.MerchantFee))
	if err := p.cfg.Control.Audit(r.Context(), openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: "admin:" + pg.User.ID,
		Action: "plan.merchant_fee_set", MerchantID: merchantID, ObjectID: saved.ID, Detail: detail, RemoteAddr: web.RemoteHost(r)}); err != nil {
		return err
	}
	q := url.Values{"env": {string(env)}, "done": {"plan_fee_set"}, "saved": {saved.ID}}
	return web.Redirect(w, r, "/portal/admin/merchants/"+url.PathEscape(merchantID)+"/plans?"+q.Encode()+"#saved")
}

func (p *Console) plan(ctx context.Context, env openflex.Environment, merchantID, id string) (*openflex.Plan, error) {
	all, err := p.cfg.Catalog.Plans(ctx, env, merchantID)
	if err != nil {
		return nil, err
	}
	for _, pl := range all {
		if pl.ID == id {
			return pl, nil
		}
	}
	return nil, openflex.NotFound("plan", id)
}

// feeDetail is the audit log's plain form of a fee.
func feeDetail(f openflex.MerchantFee) string {
	refund := "refunded pro rata"
	if f.NoRefund {
		refund = "kept on returns"
	}
	return fmt.Sprintf("%d bps + %d cents, %s", f.Bps, f.Fixed, refund)
}
