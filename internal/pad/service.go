package pad

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/cpa005"
)

// Debit statuses.
const (
	// DebitScheduled: created from a statement (its notice sent when the
	// amount varies), waiting for its due date.
	DebitScheduled = "scheduled"
	// DebitSent: in a file to the bank, its payment applied.
	DebitSent = "sent"
	// DebitReturned: the bank returned it; its payment was reversed.
	DebitReturned = "returned"
	// DebitSkipped: not taken (nothing left to debit, agreement cancelled,
	// the payment refused); Note says why.
	DebitSkipped = "skipped"
)

// Debit is one debit an agreement produces for one statement: at most one
// per (agreement, statement), so no statement is ever debited twice.
type Debit struct {
	ID string
	// Reference is the debit's 19-character originator cross reference in
	// the file: the bank's returned item carries it back.
	Reference     string
	AgreementID   string
	AccountNumber string
	StatementID   string
	DueOn         string // YYYY-MM-DD
	Amount        int64
	Status        string
	NoticeSentAt  time.Time
	FileNumber    int
	PaymentID     string
	Note          string
	Created       time.Time
	Updated       time.Time
}

// Store is the storage the service needs. Methods given a context that
// carries a write transaction join it.
type Store interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	CreateAgreement(ctx context.Context, a *Agreement) error
	// ActiveAgreement returns the account's active agreement, or nil.
	ActiveAgreement(ctx context.Context, number string) (*Agreement, error)
	Agreement(ctx context.Context, id string) (*Agreement, error)
	UpdateAgreement(ctx context.Context, a *Agreement) error
	// Agreements lists an account's agreements, newest first.
	Agreements(ctx context.Context, number string) ([]*Agreement, error)
	// ActiveAgreements pages through every active agreement by id.
	ActiveAgreements(ctx context.Context, after string, limit int) ([]*Agreement, error)
	// CreateDebit stores d unless its (agreement, statement) debit exists;
	// it reports whether d was stored.
	CreateDebit(ctx context.Context, d *Debit) (bool, error)
	Debit(ctx context.Context, id string) (*Debit, error)
	// DebitByReference returns the debit with a cross reference, or
	// resource_missing.
	DebitByReference(ctx context.Context, ref string) (*Debit, error)
	// ScheduledDebits lists scheduled debits due on or before day.
	ScheduledDebits(ctx context.Context, day string) ([]*Debit, error)
	UpdateDebit(ctx context.Context, d *Debit) error
	// Debits lists an account's debits, newest first.
	Debits(ctx context.Context, number string) ([]*Debit, error)
	// CreateOneTime stores a one-time payment unless the account already
	// has one with its key; it returns the one stored (o, or the first).
	CreateOneTime(ctx context.Context, o *OneTime) (*OneTime, error)
	// OneTimeByKey returns the account's one-time payment with an
	// idempotency key, or nil.
	OneTimeByKey(ctx context.Context, number, key string) (*OneTime, error)
	// OneTimePayment returns one-time payment id, or resource_missing.
	OneTimePayment(ctx context.Context, id string) (*OneTime, error)
	// OneTimeByReference returns the one-time payment with a cross
	// reference, or resource_missing.
	OneTimeByReference(ctx context.Context, ref string) (*OneTime, error)
	// ScheduledOneTime lists scheduled one-time payments due on or before
	// day.
	ScheduledOneTime(ctx context.Context, day string) ([]*OneTime, error)
	UpdateOneTime(ctx context.Context, o *OneTime) error
	// MoveOneTime saves o's status, file number and note only if its
	// stored status is still from, and reports whether it did.
	MoveOneTime(ctx context.Context, o *OneTime, from string) (bool, error)
	// OneTimePayments lists an account's one-time payments, newest first.
	OneTimePayments(ctx context.Context, number string) ([]*OneTime, error)
	// NextFileNumber allocates the next CPA-005 file creation number of
	// the environment (1–9999, then 1 again), recording the file.
	NextFileNumber(ctx context.Context, day string, at time.Time) (int, error)
}

// StatementDue is what a due date asks for: the account's latest
// statement and what happened since.
type StatementDue struct {
	StatementID string
	DueOn       string // YYYY-MM-DD
	Minimum     int64
	Closing     int64
	// PaidSince is what was paid towards the account since the statement.
	PaidSince int64
	// Owed is what the account owes today.
	Owed int64
	// Today is the account's current day (its clock), YYYY-MM-DD.
	Today string
}

// Payments is the servicing engine as automatic payments use it.
type Payments interface {
	// LatestStatement returns the account's latest statement and what
	// happened since, or nil before its first statement.
	LatestStatement(ctx context.Context, number string) (*StatementDue, error)
	// PayDebit applies a debit's payment to the account and returns the
	// payment's id. reference is the debit's id: a second call with it
	// returns the first payment.
	PayDebit(ctx context.Context, number string, amount int64, reference string) (string, error)
	// PayDebitTo is PayDebit directed at a plan (segment; "" for none).
	PayDebitTo(ctx context.Context, number string, amount int64, reference, segment string) (string, error)
	// ReturnDebit reverses a returned debit's payment (NSF fee, standing)
	// and returns the fee charged.
	ReturnDebit(ctx context.Context, paymentID, reason string) (int64, error)
	// Clock returns the time on the account's clock (a TRAINING test
	// clock's for an account on one, else the wall clock) and the day it
	// is on in the account's zone, YYYY-MM-DD.
	Clock(ctx context.Context, number string) (now time.Time, today string, err error)
	// PayoffBy returns what pays the whole account off as of day
	// (YYYY-MM-DD, its interest to then; a day past the payoff window is
	// taken as the window's last): the most one-time payments may add up
	// to.
	PayoffBy(ctx context.Context, number, day string) (int64, error)
	// DailyLimit is the most an account may be paid in one day (0: no
	// limit).
	DailyLimit() int64
}

// Messenger sends a customer a message in their language (by their
// chosen channel) and keeps it on the account.
type Messenger interface {
	Tell(ctx context.Context, number, kind, subject, body string) error
}

// Message kinds of automatic payments.
const (
	MessageConfirmation = "pad_confirmation"
	MessageNotice       = "pad_notice"
	MessageCancelled    = "pad_cancelled"
	MessageReturned     = "debit_returned"
)

// Accounts reads what the service needs of an account.
type Accounts interface {
	Account(ctx context.Context, number string) (*openflex.Account, error)
}

// Service runs one environment's PAD agreements and debits.
type Service struct {
	Store     Store
	Accounts  Accounts
	Payments  Payments
	Messenger Messenger
	Payee     Payee
	Now       func() time.Time
	Log       *slog.Logger
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// accountNow is the time and day on number's clock: what an agreement, a
// debit or a one-time payment of the account is dated by, so that an
// account on a TRAINING test clock (in the past or the future) gets its
// first debit, notices and dates by its own calendar. Without an engine
// clock (Payments nil) it is Now, in UTC.
func (s *Service) accountNow(ctx context.Context, number string) (time.Time, string, error) {
	if s.Payments == nil {
		now := s.now()
		return now, now.Format(time.DateOnly), nil
	}
	now, day, err := s.Payments.Clock(ctx, number)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("account clock: %w", err)
	}
	return now.UTC().Truncate(time.Microsecond), day, nil
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Enrol sets up automatic payments for an account, replacing its active
// agreement if it has one, and sends the written confirmation: the first
// debit is ConfirmationDays after it.
//
// Errors: the request's field errors; resource_missing;
// account_status_invalid for a closed or charged-off account (it may still
// pay what it owes once at a time: a standing order to debit an account the
// lender has ended has nothing left to serve).
func (s *Service) Enrol(ctx context.Context, r EnrolRequest) (*Agreement, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	acct, err := s.Accounts.Account(ctx, r.AccountNumber)
	if err != nil {
		return nil, err
	}
	if acct.Status == openflex.AccountClosed || acct.Status == openflex.AccountChargedOff {
		return nil, &openflex.Error{Code: openflex.CodeAccountStatusInvalid, Message: "a closed or charged-off account takes no automatic payments"}
	}
	now, day, err := s.accountNow(ctx, r.AccountNumber)
	if err != nil {
		return nil, err
	}
	by := r.By
	if by == "" {
		by = "customer"
	}
	a := &Agreement{ID: openflex.NewID("pad"), AccountNumber: r.AccountNumber, Choice: r.Choice, FixedAmount: r.FixedAmount,
		Bank: r.Bank, Language: r.Language, Text: Text(r.Language, s.Payee, r, r.Bank.HolderName, day), Status: Active,
		AgreedAt: now, AgreedBy: by, ConfirmedAt: now, FirstDebitOn: FirstDebitOn(day)}
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		old, err := s.Store.ActiveAgreement(ctx, r.AccountNumber)
		if err != nil {
			return err
		}
		if old != nil {
			old.Status, old.CancelledAt, old.CancelledBy, old.CancelReason = Cancelled, now, by, "replaced by agreement "+a.ID
			if err := s.Store.UpdateAgreement(ctx, old); err != nil {
				return err
			}
		}
		return s.Store.CreateAgreement(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	subject, body := Confirmation(a.Language, a)
	if err := s.Messenger.Tell(ctx, a.AccountNumber, MessageConfirmation, subject, body); err != nil {
		// The agreement stands; the confirmation is retried by staff. The
		// first debit still waits ConfirmationDays.
		s.log().Error("pad confirmation not sent", "agreement", a.ID, "err", err)
	}
	return a, nil
}

// Cancel ends an account's active agreement at once: debits not yet sent
// to the bank are skipped.
//
// Errors: resource_missing when the account has no active agreement.
func (s *Service) Cancel(ctx context.Context, number, by, reason string) (*Agreement, error) {
	now, _, err := s.accountNow(ctx, number)
	if err != nil {
		return nil, err
	}
	var a *Agreement
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		var err error
		a, err = s.Store.ActiveAgreement(ctx, number)
		if err != nil {
			return err
		}
		if a == nil {
			return openflex.Errorf(openflex.CodeResourceMissing, "account %s has no automatic payments", number)
		}
		a.Status, a.CancelledAt, a.CancelledBy, a.CancelReason = Cancelled, now, by, reason
		if err := s.Store.UpdateAgreement(ctx, a); err != nil {
			return err
		}
		debits, err := s.Store.Debits(ctx, number)
		if err != nil {
			return err
		}
		for _, d := range debits {
			if d.Status == DebitScheduled {
				d.Status, d.Note, d.Updated = DebitSkipped, "agreement cancelled", now
				if err := s.Store.UpdateDebit(ctx, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	subject, body := "Automatic payments cancelled", "Your pre-authorized debit agreement is cancelled: no further debit will be taken."
	if a.Language == "fr" {
		subject, body = "Paiements automatiques annulés", "Votre accord de débit préautorisé est annulé : aucun autre débit ne sera effectué."
	}
	if err := s.Messenger.Tell(ctx, number, MessageCancelled, subject, body); err != nil {
		s.log().Error("pad cancellation notice not sent", "agreement", a.ID, "err", err)
	}
	return a, nil
}

// Schedule creates the debit of each active agreement's latest statement
// (once per statement) and sends the notice of a variable amount. A
// variable debit whose notice can no longer come NoticeDays before its
// due date, or a due date before the agreement's first debit day, is not
// taken: the customer pays that statement another way. Run it daily.
func (s *Service) Schedule(ctx context.Context) (created int, err error) {
	after := ""
	for {
		page, err := s.Store.ActiveAgreements(ctx, after, 200)
		if err != nil {
			return created, err
		}
		if len(page) == 0 {
			return created, nil
		}
		for _, a := range page {
			after = a.ID
			ok, err := s.schedule(ctx, a)
			if err != nil {
				s.log().Error("pad schedule", "agreement", a.ID, "err", err)
				continue
			}
			if ok {
				created++
			}
		}
	}
}

func (s *Service) schedule(ctx context.Context, a *Agreement) (bool, error) {
	st, err := s.Payments.LatestStatement(ctx, a.AccountNumber)
	if err != nil || st == nil {
		return false, err
	}
	if st.DueOn < a.FirstDebitOn || st.DueOn < st.Today {
		return false, nil
	}
	if a.Choice.Variable() && daysBetween(st.Today, st.DueOn) < NoticeDays {
		return false, nil
	}
	amount := Amount(a.Choice, a.FixedAmount, st.Minimum, st.Closing, st.PaidSince, st.Owed)
	if amount == 0 {
		return false, nil
	}
	now, _, err := s.accountNow(ctx, a.AccountNumber)
	if err != nil {
		return false, err
	}
	d := &Debit{ID: openflex.NewID("pdb"), AgreementID: a.ID, AccountNumber: a.AccountNumber, StatementID: st.StatementID,
		DueOn: st.DueOn, Amount: amount, Status: DebitScheduled, Created: now, Updated: now}
	d.Reference = reference(d.ID)
	if a.Choice.Variable() {
		d.NoticeSentAt = now
	}
	stored, err := s.Store.CreateDebit(ctx, d)
	if err != nil || !stored {
		return false, err
	}
	if a.Choice.Variable() {
		subject, body := Notice(a.Language, d, a.Bank.Masked())
		if err := s.Messenger.Tell(ctx, a.AccountNumber, MessageNotice, subject, body); err != nil {
			return true, fmt.Errorf("notice: %w", err)
		}
	}
	return true, nil
}

// reference is a debit's cross reference: "OF" and the last 17
// characters of its id (the random part), 19 in all, upper case as the
// file carries it (and as the bank's return brings it back).
func reference(id string) string { return strings.ToUpper("OF" + id[len(id)-17:]) }

func daysBetween(from, to string) int {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	return int(t.Sub(f).Hours() / 24)
}

// FileResult is what one debit file holds.
type FileResult struct {
	FileNumber int
	Debits     []*Debit // sent in the file
	Skipped    []*Debit // not taken, with their Note
	// OneTime are the one-time payments sent in the file, OneTimeSkipped
	// those not taken (with their Note).
	OneTime        []*OneTime
	OneTimeSkipped []*OneTime
}

// DebitFile writes the debits due on or before day to a CPA-005 file of D
// records under a new file number. Each debit is claimed (scheduled →
// sent, with the file number) in one transaction before anything is
// written, so no debit is ever in two files, however the command is run;
// its payment is then applied through the engine. A debit whose account
// now owes less is taken for less (never more than notified); one the
// engine refuses is skipped with its reason.
func (s *Service) DebitFile(ctx context.Context, day string, o cpa005.Originator, w io.Writer) (*FileResult, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "date", Message: "date must be YYYY-MM-DD"}
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	res := &FileResult{}
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		due, err := s.Store.ScheduledDebits(ctx, day)
		if err != nil {
			return err
		}
		if res.FileNumber, err = s.Store.NextFileNumber(ctx, day, now); err != nil {
			return err
		}
		for _, d := range due {
			a, err := s.Store.Agreement(ctx, d.AgreementID)
			if err != nil {
				return err
			}
			d.Updated = now
			if a.Status != Active {
				d.Status, d.Note = DebitSkipped, "agreement cancelled"
				res.Skipped = append(res.Skipped, d)
			} else {
				d.Status, d.FileNumber = DebitSent, res.FileNumber
				res.Debits = append(res.Debits, d)
			}
			if err := s.Store.UpdateDebit(ctx, d); err != nil {
				return err
			}
		}
		ones, err := s.Store.ScheduledOneTime(ctx, day)
		if err != nil {
			return err
		}
		for _, o := range ones {
			o.Status, o.FileNumber, o.Updated = DebitSent, res.FileNumber, now
			moved, err := s.Store.MoveOneTime(ctx, o, DebitScheduled)
			if err != nil {
				return err
			}
			if moved { // else the customer cancelled it meanwhile
				res.OneTime = append(res.OneTime, o)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var sent []*Debit
	var transfers []cpa005.Transfer
	for _, d := range res.Debits {
		t, err := s.take(ctx, d, now)
		if err != nil {
			d.Status, d.Note = DebitSkipped, "not taken: "+err.Error()
			if uerr := s.Store.UpdateDebit(ctx, d); uerr != nil {
				return nil, uerr
			}
			res.Skipped = append(res.Skipped, d)
			continue
		}
		sent = append(sent, d)
		transfers = append(transfers, t)
	}
	res.Debits = sent
	var sentOnce []*OneTime
	for _, o := range res.OneTime {
		t, err := s.takeOneTime(ctx, o, now)
		if err != nil {
			o.Status, o.Note = DebitSkipped, "not taken: "+err.Error()
			if uerr := s.Store.UpdateOneTime(ctx, o); uerr != nil {
				return nil, uerr
			}
			res.OneTimeSkipped = append(res.OneTimeSkipped, o)
			// The customer counts on it: they are told it was not taken.
			subject, body := NotTaken(o.Language, o)
			if terr := s.Messenger.Tell(ctx, o.AccountNumber, MessageOneTimeSkipped, subject, body); terr != nil {
				s.log().Error("one-time payment not taken: notice not sent", "payment", o.ID, "err", terr)
			}
			continue
		}
		sentOnce = append(sentOnce, o)
		transfers = append(transfers, t)
	}
	res.OneTime = sentOnce
	created, _ := time.Parse(time.DateOnly, day)
	if err := cpa005.Write(w, o, res.FileNumber, created, nil, transfers); err != nil {
		return nil, err
	}
	return res, nil
}

// take applies a claimed debit's payment and returns its file item.
func (s *Service) take(ctx context.Context, d *Debit, now time.Time) (cpa005.Transfer, error) {
	a, err := s.Store.Agreement(ctx, d.AgreementID)
	if err != nil {
		return cpa005.Transfer{}, err
	}
	st, err := s.Payments.LatestStatement(ctx, d.AccountNumber)
	if err != nil {
		return cpa005.Transfer{}, err
	}
	if st != nil && st.StatementID == d.StatementID {
		// Paid meanwhile: take only what is left, never more than notified.
		d.Amount = min(d.Amount, Amount(a.Choice, a.FixedAmount, st.Minimum, st.Closing, st.PaidSince, st.Owed))
	}
	if d.Amount <= 0 {
		return cpa005.Transfer{}, fmt.Errorf("nothing left to debit")
	}
	t := cpa005.Transfer{Amount: d.Amount, DueDate: mustDay(d.DueOn), Account: a.Bank, Name: a.Bank.HolderName,
		CrossReference: d.Reference, Sundry: d.AccountNumber[len(d.AccountNumber)-8:]}
	if p := t.Problem(); p != "" {
		return cpa005.Transfer{}, fmt.Errorf("%s", p)
	}
	id, err := s.Payments.PayDebit(ctx, d.AccountNumber, d.Amount, d.ID)
	if err != nil {
		return cpa005.Transfer{}, err
	}
	d.PaymentID, d.Updated = id, now
	return t, s.Store.UpdateDebit(ctx, d)
}

func mustDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic("pad: stored date " + s)
	}
	return t
}

// ReturnOutcome is what happened to one returned item.
type ReturnOutcome struct {
	Reference string
	DebitID   string
	Amount    int64
	// Result is "returned", "already returned" or why it was not applied.
	Result string
	NSFFee int64
}

// Returns applies a bank's file of returned debits (J records): each
// returned debit's payment is reversed through the engine (NSF fee,
// standing) and the customer told. A debit already returned is reported,
// not reversed twice, so a file can be applied again safely.
func (s *Service) Returns(ctx context.Context, f *cpa005.File) ([]ReturnOutcome, error) {
	var out []ReturnOutcome
	for _, it := range f.ReturnedDebits {
		o := ReturnOutcome{Reference: it.CrossReference, Amount: it.Amount}
		var status string
		d, err := s.Store.DebitByReference(ctx, it.CrossReference)
		if err == nil {
			o.DebitID, status = d.ID, d.Status
		} else if one, oerr := s.Store.OneTimeByReference(ctx, it.CrossReference); oerr == nil {
			o.DebitID, status = one.ID, one.Status
		} else {
			o.Result = "no debit with this reference"
			out = append(out, o)
			continue
		}
		reason := "returned by the bank"
		if it.InvalidDataElement != "" && it.InvalidDataElement != "00000000000" {
			reason += " (" + it.InvalidDataElement + ")"
		}
		fee, err := s.Return(ctx, o.DebitID, "bank", reason)
		switch {
		case openflex.ErrorCode(err) == openflex.CodeDebitNotReturnable && status == DebitReturned:
			o.Result = "already returned"
		case err != nil:
			o.Result = err.Error()
		default:
			o.Result, o.NSFFee = "returned", fee
		}
		out = append(out, o)
	}
	return out, nil
}

// Return marks one sent debit returned (from the bank's file, or by staff
// at the account desk): its payment is reversed with the NSF fee and the
// standing moves back; the customer is told.
//
// A one-time payment's id (OneTimePrefix) returns that payment's debit.
//
// Errors: resource_missing; debit_not_returnable when the debit was not
// sent or is already returned.
func (s *Service) Return(ctx context.Context, debitID, by, reason string) (int64, error) {
	if strings.HasPrefix(debitID, OneTimePrefix+"_") {
		return s.returnOneTime(ctx, debitID, by, reason)
	}
	d, err := s.Store.Debit(ctx, debitID)
	if err != nil {
		return 0, err
	}
	if d.Status != DebitSent || d.PaymentID == "" {
		return 0, openflex.Errorf(openflex.CodeDebitNotReturnable, "debit %s is %s: only a debit sent to the bank can be returned", d.ID, d.Status)
	}
	fee, err := s.Payments.ReturnDebit(ctx, d.PaymentID, reason)
	if err != nil {
		return 0, err
	}
	now, _, err := s.accountNow(ctx, d.AccountNumber)
	if err != nil {
		return 0, err
	}
	d.Status, d.Note, d.Updated = DebitReturned, reason+" — "+by, now
	if err := s.Store.UpdateDebit(ctx, d); err != nil {
		return 0, err
	}
	lang := "en"
	if a, err := s.Store.Agreement(ctx, d.AgreementID); err == nil {
		lang = a.Language
	}
	subject, body := Returned(lang, d, fee)
	if err := s.Messenger.Tell(ctx, d.AccountNumber, MessageReturned, subject, body); err != nil {
		s.log().Error("debit returned notice not sent", "debit", d.ID, "err", err)
	}
	return fee, nil
}
