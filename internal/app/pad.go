package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/account"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/notify"
	"github.com/openflex/openflex/internal/sqlstore"

	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing/engine"
)

// servicingThenDebits is the servicing job of one environment: the days
// that ended (statements among them), then the debits those statements
// call for under customers' PAD agreements, with their notices.
type servicingThenDebits struct {
	engine *engine.Service
	pad    *pad.Service
}

func (s servicingThenDebits) RunDue(ctx context.Context) (int, error) {
	n, err := s.engine.RunDue(ctx)
	if err != nil {
		return n, err
	}
	_, err = s.pad.Schedule(ctx)
	return n, err
}

// accountRoom is the customer's own pages, /account/.
func (m *Main) accountRoom() *account.Room {
	return account.New(account.Config{
		Services: func(env openflex.Environment) account.Services {
			data := m.Stores.Data(env)
			return account.Services{
				SignIn:       &customer.SignIn{Store: data, Identity: data, Verifier: m.Planes[env].Credit, Now: time.Now},
				Servicing:    m.Planes[env].Servicing,
				Transactions: data.AccountTransactions,
				Messages:     data.AccountMessages,
				PAD:          m.PAD[env],
				Consents:     m.Planes[env].Lending.Consents,
				Revoke:       m.Planes[env].Lending.RevokeConsent,
				MerchantName: func(ctx context.Context, id string) string {
					if mer, err := m.Stores.Control.Merchant(ctx, id); err == nil {
						return mer.Name
					}
					return id
				},
				StoreName: func(ctx context.Context, merchantID, id string) string {
					if st, err := m.Stores.Control.Store(ctx, merchantID, id); err == nil {
						return st.Name
					}
					return id
				},
			}
		},
		Secure: strings.HasPrefix(m.Config.PublicURL, "https://"), ClientIP: func(r *http.Request) string { return m.API.ClientIP(r).String() }, Logger: m.Logger,
	})
}

// wireCustomers builds env's customer messenger (sending in PRODUCTION
// when a provider is configured), the welcome message of new accounts,
// servicing's messages and the PAD service.
func (m *Main) wireCustomers(env openflex.Environment, data *sqlstore.DB, notifier *notify.Notifier) {
	lender := m.Config.LenderIdentity()
	m.Messages[env] = &customer.Messenger{Env: env, Store: data, Now: time.Now, AccountTime: m.Planes[env].Servicing.AccountTime, Log: m.Logger,
		Signature: lender.Contact()}
	if env == openflex.Production && (notifier.Mail != nil || notifier.SMS != nil) {
		m.Messages[env].Sender = notifier
	}
	// Servicing's customer messages (statement ready, payment due and
	// received, status changed) go out through the same messenger,
	// pointing to the customer's own pages.
	m.Planes[env].Servicing.Messages, m.Planes[env].Servicing.AccountPages = m.Messages[env], m.accountPages(env)
	msgs, logger := m.Messages[env], m.Logger
	m.Planes[env].Credit.Welcome = func(ctx context.Context, acct *openflex.Account) {
		subject, body := customer.Welcome(acct)
		if err := msgs.Tell(ctx, acct.Number, customer.MessageWelcome, subject, body); err != nil {
			logger.Error("welcome message not sent", "account", acct.Number[10:], "err", err)
		}
	}
	// The agreement names the lender as statements and messages do.
	m.PAD[env] = &pad.Service{Store: data, Accounts: data, Payments: engine.PADPayments{S: m.Planes[env].Servicing}, Messenger: m.Messages[env],
		Payee: pad.Payee{Name: lender.Name, Phone: lender.Phone, Email: lender.Email, Address: lender.Address}, Now: time.Now, Log: m.Logger}
	debits := m.PAD[env]
	m.Planes[env].Servicing.AfterAdvance = func(ctx context.Context) error {
		_, err := debits.Schedule(ctx)
		return err
	}
}

// accountPages is the address of env's customer pages as messages print
// it: under the public URL (Run sets it again once the server's own
// address is known, when no --public-url was given).
func (m *Main) accountPages(env openflex.Environment) string {
	pages := strings.TrimRight(m.Config.PublicURL, "/") + account.Root
	if env == openflex.Training {
		pages += "training/"
	}
	return pages
}
