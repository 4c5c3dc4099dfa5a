package credit

import (
	"context"
	"time"

	"github.com/openflex/openflex"
)

// Store is the data-plane storage credit decisions and accounts need.
type Store interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	CreateCustomer(ctx context.Context, c *openflex.Customer) error
	Customer(ctx context.Context, id string) (*openflex.Customer, error)
	CreateApplication(ctx context.Context, a *openflex.Application) error
	UpdateDecision(ctx context.Context, a *openflex.Application) error
	Application(ctx context.Context, merchantID, id string) (*openflex.Application, error)
	PendingApplications(ctx context.Context, limit int) ([]*openflex.Application, error)
	// PendingRepeats lists the pending applications repeating id; they
	// follow its decision.
	PendingRepeats(ctx context.Context, id string) ([]*openflex.Application, error)
	// OpeningApplication returns the application that opened an account.
	OpeningApplication(ctx context.Context, number string) (*openflex.Application, error)
	// LockIdentity serialises account openings for one person until the
	// transaction ends.
	LockIdentity(ctx context.Context, first, last, dob string) error
	RecentApplication(ctx context.Context, first, last, dob string, since time.Time) (*openflex.Application, error)
	RecordInquiry(ctx context.Context, in *openflex.Inquiry) error
	// CreateAccount opens a; a taken number is openflex.CodeConflict.
	CreateAccount(ctx context.Context, a *openflex.Account) error
	Account(ctx context.Context, number string) (*openflex.Account, error)
	AccountsByIdentity(ctx context.Context, first, last, dob, postal string) ([]*openflex.Account, error)
	CreateVerification(ctx context.Context, v *openflex.Verification) error
	// RecentVerifications, BudgetVerifications and LockVerificationBudget
	// are what the verification limits count from (limits.go).
	RecentVerifications(ctx context.Context, accountNumber string, since time.Time) ([]openflex.Verification, error)
	BudgetVerifications(ctx context.Context, budgetKey string, since time.Time) ([]time.Time, error)
	LockVerificationBudget(ctx context.Context, budgetKey string) error
	Verification(ctx context.Context, merchantID, id string) (*openflex.Verification, error)
	UpdateVerification(ctx context.Context, v *openflex.Verification) error
	RecordMessage(ctx context.Context, m *openflex.Message) error
	AppendEvent(ctx context.Context, e *openflex.Event) error
	GrantConsent(ctx context.Context, c *openflex.AccountConsent) (bool, error)
}

// ApplicationView is an application with its account, as events show it.
type ApplicationView struct {
	Application *openflex.Application
	Account     *openflex.Account
}

// Service runs credit applications, accounts and verifications of one
// environment.
type Service struct {
	Env      openflex.Environment
	Store    Store
	Bureau   Bureau // nil: no bureau configured (PRODUCTION answers 503)
	Policy   Policy
	Notifier Notifier // nil in TRAINING: messages go to the validation inbox only
	// CodeKey keys the hash under which verification codes are stored.
	CodeKey []byte
	// Render turns an event's object (*ApplicationView) into its API JSON.
	Render func(v any) ([]byte, error)
	// Limits bound codes and wrong codes (zero: LimitsFor(Env)).
	Limits VerificationLimits
	Now    func() time.Time
	// Welcome, when set, tells the holder of a newly opened account its
	// full number (the once it is sent), after the account is committed.
	Welcome func(ctx context.Context, acct *openflex.Account)
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }
