package console

import (
	"context"
	"net/http"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/web"
)

// BankAccounts stores where merchants are paid (sealed; masked on screen).
type BankAccounts interface {
	SetBankAccount(ctx context.Context, merchantID string, b openflex.BankAccount, at time.Time) error
	BankAccountMasked(ctx context.Context, merchantID string) (string, error)
}

type adminSettlementRow struct {
	Env        openflex.Environment
	Settlement *openflex.Settlement
	Merchant   *openflex.Merchant
	Bank       string
}

type adminSettlementsData struct {
	Rows      []adminSettlementRow
	Merchants []adminBankRow
}

type adminBankRow struct {
	Merchant openflex.Merchant
	Bank     string
}

// adminSettlements lists every pending settlement of both environments
// with the merchant's (masked) bank account, and the bank accounts.
func (p *Console) adminSettlements(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	ctx := r.Context()
	banks, ok := p.cfg.Control.(BankAccounts)
	if !ok || p.cfg.Settlements == nil {
		return openflex.NotFound("page", r.URL.Path)
	}
	var d adminSettlementsData
	merchants := map[string]*openflex.Merchant{}
	for _, env := range []openflex.Environment{openflex.Production, openflex.Training} {
		due, err := p.cfg.Settlements(env).Due(ctx, "")
		if err != nil {
			return err
		}
		for _, st := range due {
			m := merchants[st.MerchantID]
			if m == nil {
				if m, err = p.cfg.Control.Merchant(ctx, st.MerchantID); err != nil {
					return err
				}
				merchants[st.MerchantID] = m
			}
			bank, err := banks.BankAccountMasked(ctx, st.MerchantID)
			if err != nil {
				return err
			}
			d.Rows = append(d.Rows, adminSettlementRow{Env: env, Settlement: st, Merchant: m, Bank: bank})
		}
	}
	ms, _, err := p.cfg.Control.ListMerchants(ctx, openflex.ListParams{Limit: 100})
	if err != nil {
		return err
	}
	for _, m := range ms {
		bank, err := banks.BankAccountMasked(ctx, m.ID)
		if err != nil {
			return err
		}
		d.Merchants = append(d.Merchants, adminBankRow{Merchant: m, Bank: bank})
	}
	pg.Title, pg.Nav = "admin.settlements", "admin"
	p.Render(w, pg, http.StatusOK, "admin_settlements", d)
	return nil
}

// adminPaySettlement marks one pending settlement paid (paid outside
// OpenFlex, or by the CPA-005 file of `openflex settlements pay`).
func (p *Console) adminPaySettlement(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, ok := openflex.ParseEnvironment(r.PathValue("env"))
	if !ok || p.cfg.Settlements == nil {
		return openflex.NotFound("page", r.URL.Path)
	}
	svc := p.cfg.Settlements(env)
	st, err := svc.Get(r.Context(), r.PathValue("merchant"), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := svc.Pay(r.Context(), st); err != nil {
		return err
	}
	if err := p.cfg.Control.Audit(r.Context(), openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: "admin:" + pg.User.ID,
		Action: "settlement.paid", MerchantID: st.MerchantID, ObjectID: st.ID, Detail: string(env), RemoteAddr: web.RemoteHost(r)}); err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/admin/settlements?done=settlement_paid")
}

// adminSetBank sets where a merchant is paid.
func (p *Console) adminSetBank(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	banks, ok := p.cfg.Control.(BankAccounts)
	if !ok {
		return openflex.NotFound("page", r.URL.Path)
	}
	m, err := p.cfg.Control.Merchant(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	b := openflex.BankAccount{Institution: pg.Form.Get("institution"), Transit: pg.Form.Get("transit"), Account: pg.Form.Get("account"),
		HolderName: pg.Form.Get("holder_name")}
	if err := b.Validate(); err != nil {
		return err
	}
	if err := banks.SetBankAccount(r.Context(), m.ID, b, p.Now()); err != nil {
		return err
	}
	if err := p.cfg.Control.Audit(r.Context(), openflex.AuditEntry{ID: openflex.NewID("aud"), At: p.Now(), Actor: "admin:" + pg.User.ID,
		Action: "merchant.bank_account_set", MerchantID: m.ID, ObjectID: m.ID, Detail: b.Masked(), RemoteAddr: web.RemoteHost(r)}); err != nil {
		return err
	}
	return web.Redirect(w, r, "/portal/admin/settlements?done=bank_account_set")
}
