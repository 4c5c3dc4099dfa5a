// Package engine runs servicing (issue 26) around the pure rules of
// package servicing: it keeps each account's segments and statements,
// applies each account's days in order, exactly once, takes and reverses
// payments, moves the standing, runs TRAINING's test clocks, and writes
// every balance change as a balanced ledger transaction with its outbox
// event in the same database transaction.
//
// Nothing here reads the wall clock itself: Now is injected, and an
// account on a test clock lives at that clock's time.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// Store is the data-plane storage servicing needs. Methods called with a
// context carrying a write transaction join it; Account and Servicing
// inside one lock the row.
type Store interface {
	MessageOutbox // customer messages (messages.go)
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	Account(ctx context.Context, number string) (*openflex.Account, error)
	ActiveConsent(ctx context.Context, merchantID, accountNumber string) (*openflex.AccountConsent, error)
	SetAccountStatus(ctx context.Context, number string, status openflex.AccountStatus) error
	AddStatusChange(ctx context.Context, c *StatusChange) error
	// AdjustOwed changes an account's posted balance and charges without a
	// credit check: interest, fees and reversals post even over the limit.
	AdjustOwed(ctx context.Context, number string, dPosted, dCharges int64) error
	PostTransaction(ctx context.Context, t *openflex.Transaction, entries []openflex.Entry) error
	AppendEvent(ctx context.Context, e *openflex.Event) error
	// HasHistory reports whether the account has any money movement.
	HasHistory(ctx context.Context, number string) (bool, error)

	Servicing(ctx context.Context, number string) (*Row, error)
	// LoadAccount reads an account, its servicing row and its test clock
	// (nil without one) at once, locking the first two in a transaction.
	LoadAccount(ctx context.Context, number string) (*openflex.Account, *Row, *TestClock, error)
	// SaveServicing stores row if its next day is still prevNextDay
	// (another node applied the day first otherwise: ErrDayApplied, or
	// inside a PostgreSQL transaction, where the row is locked since it
	// was read, the transaction fails).
	SaveServicing(ctx context.Context, row *Row, prevNextDay string) error
	// ClaimDay records that (number, day) is applied: ErrDayApplied when it
	// already was.
	ClaimDay(ctx context.Context, number, day string, at time.Time) error
	// DueAccounts lists accounts without a test clock in zone whose next
	// day is before today, from the cursor after ("" to start), with the
	// cursor of the next page.
	DueAccounts(ctx context.Context, zone, today, after string, limit int) ([]string, string, error)

	CreateTestClock(ctx context.Context, c *TestClock) error
	TestClock(ctx context.Context, merchantID, id string) (*TestClock, error)
	TestClockByID(ctx context.Context, id string) (*TestClock, error)
	SetTestClock(ctx context.Context, id string, t time.Time, status string) error
	AccountsOnClock(ctx context.Context, clockID, after string, limit int) ([]string, error)

	CreateStatement(ctx context.Context, st *StoredStatement) error
	Statement(ctx context.Context, id string) (*StoredStatement, error)
	Statements(ctx context.Context, number string, p openflex.ListParams) ([]*StoredStatement, bool, error)

	CreatePayment(ctx context.Context, p *Payment) error
	Payment(ctx context.Context, id string) (*Payment, error)
	UpdatePayment(ctx context.Context, p *Payment) error
	Payments(ctx context.Context, number string, p openflex.ListParams) ([]*Payment, bool, error)
	// PaymentByReference returns the account's succeeded payment of
	// channel with reference, nil when there is none.
	PaymentByReference(ctx context.Context, number, channel, reference string) (*Payment, error)
	// PaidOn sums the succeeded payments of number dated day.
	PaidOn(ctx context.Context, number, day string) (int64, error)
	AddSettlementLine(ctx context.Context, l *openflex.SettlementLine) error
	PlanByID(ctx context.Context, id string) (*openflex.Plan, error)

	DeliveryStore
}

// ErrDayApplied is returned when a day was already applied to an account
// (by another node, or before a crash).
var ErrDayApplied = fmt.Errorf("servicing: day already applied")

// Row is an account's servicing record.
type Row struct {
	AccountNumber string
	// StatementDay is the day of the month cycles end (1–28), 0 for the
	// month's last day.
	StatementDay int
	TimeZone     string
	TestClockID  string
	// OpenedOn is the first day serviced; NextDay the first day the daily
	// step has not applied (YYYY-MM-DD; "" before the first step).
	OpenedOn string
	NextDay  string
	// State is the servicing.Account as JSON (nil before the first step).
	State []byte
}

// Location is the zone the account's days are counted in.
func (r *Row) Location() (*time.Location, error) {
	if loc, ok := locations.Load(r.TimeZone); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("account %s zone %q: %w", r.AccountNumber, r.TimeZone, err)
	}
	locations.Store(r.TimeZone, loc)
	return loc, nil
}

// locations keeps the zones read: time.LoadLocation reads and parses the
// zone's file each time, a good part of a statement day's work per
// account.
var locations sync.Map

// StatusChange is one move of an account's standing, with who made it and
// why.
type StatusChange struct {
	ID            string
	AccountNumber string
	From, To      openflex.AccountStatus
	Actor         string // "system" for the daily step, else the staff member
	Reason        string
	Created       time.Time
}

// batchSize is how many accounts one read of the daily job or a clock
// advance takes: the job never loads a whole table.
const batchSize = 200

// Service services one environment's accounts.
type Service struct {
	Env   openflex.Environment
	Store Store
	// Render turns an event's object into its API JSON.
	Render func(v any) ([]byte, error)
	// Config is the lender's servicing settings (zero: the defaults).
	Config *servicing.Config
	// Verifier consumes the verification an in-store payment rests on.
	Verifier Verifier
	// Workers is how many transactions the daily job runs at once
	// (default 1; PostgreSQL's connections make more worth it, SQLite's
	// one writer little).
	Workers int
	// PerTxn is how many accounts the daily job serves in one write
	// transaction at most (default 100), and TxnTime how long one such
	// transaction goes on taking more (default 25ms): the commit is
	// shared, and the purchase path never waits long for SQLite's writer.
	PerTxn  int
	TxnTime time.Duration
	// Zones, when set, are the only time zones the daily job serves (a
	// node per region, or a benchmark's own accounts); default: every
	// province's.
	Zones []string
	// MaxCreditLimit is the highest credit limit staff may give an account
	// (0: DefaultMaxCreditLimit).
	MaxCreditLimit int64
	// Messages delivers the customer messages servicing queues (nil: they
	// wait in the outbox); AccountPages is the address of the customer's
	// own pages the messages point to (default: the path /account/, or
	// /account/training/ in TRAINING).
	Messages     Messenger
	AccountPages string
	// MessageRate is how many messages a second this node sends at most
	// (0: DefaultMessageRate).
	MessageRate float64
	sendOnce    sync.Once
	sendRate    *rate.Limiter
	// Now is the wall clock; accounts on a test clock ignore it.
	Now    func() time.Time
	Logger *slog.Logger
	// AfterAdvance, when set, runs once a test clock's advance has served
	// its accounts, as the daily job's follow-up work runs after each of
	// its passes (the app schedules pre-authorized debits with it): a clock
	// moved past a due date in two steps finds what the first step called
	// for, as a real month would.
	AfterAdvance func(ctx context.Context) error
	// Directory names the merchants and stores purchases are made at;
	// nil: statements show their ids.
	Directory Directory

	// rehearsedDays and reworkedDays count the daily job's accounts served
	// from their rehearsal, and those worked out again in the writer
	// because they changed after it (rehearse.go).
	rehearsedDays, reworkedDays atomic.Int64
	// afterRehearse, in tests, runs after each batch is rehearsed and
	// before the writer serves it.
	afterRehearse func()
}

// Directory names merchants and stores (the control plane): a purchase
// records their names when it is captured, so that its statements name
// them without a lookup per line, and a later rename does not rewrite
// what a customer was already sent.
type Directory interface {
	// PurchaseNames returns the merchant's name and its store's ("" for
	// no store or another merchant's); resource_missing for an unknown
	// merchant.
	PurchaseNames(ctx context.Context, merchantID, storeID string) (merchant, store string, err error)
}

// Verifier consumes a customer's passed verification (package credit).
type Verifier interface {
	ConsumeVerification(ctx context.Context, merchantID, id, accountNumber string) error
}

func (s *Service) config() servicing.Config {
	if s.Config == nil {
		return servicing.DefaultConfig()
	}
	return *s.Config
}

func (s *Service) wall() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func dayOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// emit writes one event per recipient, dated by the wall clock (the
// object carries the account's own dates; retention counts real days): the lender's own outbox (merchant
// ""), and each merchant named (the merchant that took a payment, the
// owner of the account's test clock).
func (s *Service) emit(ctx context.Context, typ string, obj any, merchants ...string) error {
	if s.Render == nil {
		return nil
	}
	b, err := s.Render(obj)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, m := range append([]string{""}, merchants...) {
		if seen[m] {
			continue
		}
		seen[m] = true
		if err := s.Store.AppendEvent(ctx, &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: m, Type: typ, Object: b, Created: s.wall()}); err != nil {
			return err
		}
	}
	return nil
}
