package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/servicing"
)

// Customer messages (docs/servicing.md, "Messages"): what servicing tells
// the customer — statement ready, payment due in DueReminderDays, payment
// received or reversed, status changed — is queued in an outbox in the
// same transaction as the fact it reports, one row per fact, and
// delivered after the transaction commits: right away by the call that
// made the fact when it ran its own transaction, and by every run of the
// daily job (which also tries failed deliveries again).

// DueReminderDays is how many days before a statement's due date the
// customer is reminded of a minimum still unpaid.
const DueReminderDays = 5

// MaxMessageAttempts is how many times a message is tried before it is
// left failed (for the lender's desk to see).
const MaxMessageAttempts = 5

// messageLease is how long one node holds a message it is delivering:
// another node takes it over only after that (a crashed node's message is
// then sent again: delivery is at least once across crashes).
const messageLease = 5 * time.Minute

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxDone    = "done"
	OutboxFailed  = "failed"
)

// QueuedMessage is a customer message in the outbox. (AccountNumber,
// Kind, Reference) names the fact it reports, and is unique.
type QueuedMessage struct {
	ID            string
	AccountNumber string
	Kind          string
	Reference     string
	Subject       string
	Body          string
	Status        string
	// Bulk messages (statement ready, payment due: one per account on a
	// statement day) are sent after every other waiting message.
	Bulk     bool
	Attempts int
	Error    string
	// Created is the fact's time on the account's clock (a test clock's
	// for an account on one): the message is dated by it.
	Created time.Time
}

// MessageOutbox keeps the queued customer messages.
type MessageOutbox interface {
	// QueueMessage stores m unless its fact already has a message (then
	// it does nothing).
	QueueMessage(ctx context.Context, m *QueuedMessage) error
	// DueMessages lists, oldest first, messages of number (every account
	// when "") not yet delivered, tried fewer than MaxMessageAttempts
	// times and not held by a node at now.
	DueMessages(ctx context.Context, number string, now time.Time, limit int) ([]*QueuedMessage, error)
	// ClaimMessages holds, in one transaction, those of ids still
	// undelivered and free at now until until, counting an attempt on
	// each, and returns the ids it held.
	ClaimMessages(ctx context.Context, ids []string, now, until time.Time) ([]string, error)
	// FinishMessages records attempts' outcomes, in one transaction.
	FinishMessages(ctx context.Context, outcomes []MessageOutcome) error
	// InTx reports whether ctx carries a write transaction.
	InTx(ctx context.Context) bool
}

// MessageOutcome is a delivery attempt's outcome: done, or failed with
// its error and held until Retry (the next attempt's earliest time).
type MessageOutcome struct {
	ID, Status, Error string
	Retry             time.Time
}

// Messenger delivers a customer message in the customer's channel and
// keeps it on the account under id (package customer's Messenger).
type Messenger interface {
	Deliver(ctx context.Context, id, number, kind, subject, body string, at time.Time) error
}

var _ Messenger = (*customer.Messenger)(nil)

// Lender is who the customers of these accounts deal with: the name and
// contact details statements and messages give.
func (s *Service) Lender() servicing.Lender { return s.config().Lender }

// about is what every message says of a's account.
func (s *Service) about(a *account) customer.About {
	pages := s.AccountPages
	if pages == "" {
		pages = "/account/"
		if s.Env == openflex.Training {
			pages = "/account/training/"
		}
	}
	return customer.About{Lang: a.acct.Language, Number: a.acct.Number, Pages: pages, Lender: s.config().Lender}
}

// factTime is when something that happened on day d is dated: the end of
// d when d is over on the account's clock (a day's step), else the
// clock's time (a payment, a staff action).
func factTime(a *account, d servicing.Date) time.Time {
	if _, end := servicing.DayBounds(d, a.loc); end.Before(a.now) {
		return end.UTC()
	}
	return a.now
}

// bulkMessage reports whether messages of kind come by the account
// on a statement day, and are sent after the others (QueuedMessage.Bulk).
func bulkMessage(kind string) bool {
	return kind == customer.MessageStatementReady || kind == customer.MessagePaymentDue
}

// queue puts a message about a's account in the outbox, in the caller's
// transaction.
func (s *Service) queue(ctx context.Context, a *account, kind, ref string, at time.Time, subject, body string) error {
	a.queued = true
	return s.Store.QueueMessage(ctx, &QueuedMessage{ID: openflex.NewID("msg"), AccountNumber: a.acct.Number, Kind: kind, Reference: ref,
		Subject: subject, Body: body, Status: OutboxPending, Bulk: bulkMessage(kind), Created: at.UTC().Truncate(time.Microsecond)})
}

func (s *Service) queueStatement(ctx context.Context, a *account, st *servicing.Statement, d servicing.Date) error {
	subject, body := customer.StatementReady(s.about(a), st.PeriodEnd, st.DueDate, st.ClosingBalance, st.MinimumPayment)
	return s.queue(ctx, a, customer.MessageStatementReady, st.PeriodEnd.String(), factTime(a, d), subject, body)
}

func (s *Service) queueStatus(ctx context.Context, a *account, c *StatusChange, d servicing.Date) error {
	subject, body := customer.StatusChanged(s.about(a), c.From, c.To, a.state.PastDue(a.state.OpenDay()), a.state.Balance())
	return s.queue(ctx, a, customer.MessageStatusChanged, c.ID, factTime(a, d), subject, body)
}

// queueDueReminder reminds the customer, when day d ends DueReminderDays
// before the latest statement's due date (in the account's zone), of its
// minimum if any of it is unpaid. A reminder the daily job reaches only
// after its due date (the job stopped for days) is not sent: it would be
// wrong by then.
func (s *Service) queueDueReminder(ctx context.Context, a *account, d servicing.Date) error {
	last := a.state.Last
	if last == nil || last.Minimum <= 0 || last.DueDate.AddDays(-DueReminderDays) != d.AddDays(1) {
		return nil
	}
	if a.clock == nil && last.DueDate.Before(a.today()) {
		return nil
	}
	var unpaid int64
	for _, due := range a.state.Dues {
		if !due.DueDate.After(last.DueDate) {
			unpaid += due.Remaining
		}
	}
	if unpaid <= 0 {
		return nil
	}
	subject, body := customer.PaymentDue(s.about(a), last.DueDate, last.Minimum, min(unpaid, last.Minimum))
	return s.queue(ctx, a, customer.MessagePaymentDue, last.Date.String(), factTime(a, d), subject, body)
}

func (s *Service) queuePayment(ctx context.Context, a *account, p *Payment) error {
	on, err := servicing.ParseDate(p.PostedOn)
	if err != nil {
		return err
	}
	subject, body := customer.PaymentReceived(s.about(a), on, p.Amount, a.acct.Owed())
	return s.queue(ctx, a, customer.MessagePaymentReceived, p.ID, a.now, subject, body)
}

func (s *Service) queueReversal(ctx context.Context, a *account, p *Payment, returned bool) error {
	on, err := servicing.ParseDate(p.PostedOn)
	if err != nil {
		return err
	}
	subject, body := customer.PaymentReversed(s.about(a), on, p.Amount, returned, p.NSFFee, a.acct.Owed())
	return s.queue(ctx, a, customer.MessagePaymentReversed, p.ID, a.now, subject, body)
}

// afterCommit delivers number's queued messages once the call that queued
// them has committed. Inside a caller's transaction (an API request's
// idempotency runner) nothing has committed yet: the daily job's next run
// delivers them.
func (s *Service) afterCommit(ctx context.Context, number string) {
	if s.Messages == nil || s.Store.InTx(ctx) {
		return
	}
	if _, err := s.deliver(ctx, number); err != nil && s.Logger != nil {
		s.Logger.Warn("customer messages not delivered yet", "account", number[len(number)-4:], "err", err)
	}
}

// DeliverMessages delivers every queued customer message not yet
// delivered (failed ones again, up to MaxMessageAttempts), oldest first,
// and returns how many were delivered. Several nodes may run it at once:
// each message is held by one while it is sent. Without a Messenger it
// does nothing (the messages wait).
func (s *Service) DeliverMessages(ctx context.Context) (int, error) {
	if s.Messages == nil {
		return 0, nil
	}
	return s.deliver(ctx, "")
}

// DefaultMessageRate is how many customer messages a node sends a second
// unless Service.MessageRate says otherwise: an SMS short code's or a
// mail provider's usual sending rate. A statement day's million notices
// then go out over hours, never faster than the provider takes them,
// and never taking the database from the day's own work.
const DefaultMessageRate = 100

// sendLimiter is the node's sending pace (MessageRate).
func (s *Service) sendLimiter() *rate.Limiter {
	s.sendOnce.Do(func() {
		r := s.MessageRate
		if r <= 0 {
			r = DefaultMessageRate
		}
		s.sendRate = rate.NewLimiter(rate.Limit(r), messageSenders)
	})
	return s.sendRate
}

// messagePage is how many messages a delivery pass holds at once at rate
// messages a second: a page sent within half its lease, so a slow pace
// never leaves messages held past their lease, for another node to send
// them a second time.
func messagePage(rate float64) int {
	if rate <= 0 {
		rate = DefaultMessageRate
	}
	return int(max(1, min(batchSize, rate*messageLease.Seconds()/2)))
}

// messageSenders is how many messages one node sends at once. A provider
// answers in tens of milliseconds: one at a time, a statement day's
// messages for a million accounts would take hours. An account's messages
// all go to the same sender, so each customer still gets theirs in order.
const messageSenders = 8

// deliver sends the due messages of number (every account's when "") a
// page at a time: the page's messages held in one transaction, sent
// messageSenders at once, their outcomes recorded in one transaction —
// two commits a page rather than two a message, which on a statement day
// competed with the day's own transactions. A node that dies mid-page
// leaves its messages held until their lease ends; another node then
// sends them (at least once, as before).
func (s *Service) deliver(ctx context.Context, number string) (int, error) {
	page := messagePage(s.MessageRate)
	n := 0
	var errs []error
	for {
		// Each page is held from its own time: a pass through a statement
		// day's notices lasts hours at the provider's pace, and a lease
		// counted from the pass's start would have ended before its later
		// pages were sent.
		now := s.wall()
		list, err := s.Store.DueMessages(ctx, number, now, page)
		if err != nil {
			return n, err
		}
		ids := make([]string, len(list))
		for i, m := range list {
			ids[i] = m.ID
		}
		held, err := s.Store.ClaimMessages(ctx, ids, now, now.Add(messageLease))
		if err != nil {
			return n, err
		}
		mine := make(map[string]bool, len(held))
		for _, id := range held {
			mine[id] = true
		}
		var (
			mu       sync.Mutex
			outcomes []MessageOutcome
			lanes    [messageSenders]chan *QueuedMessage
			wg       sync.WaitGroup
		)
		for i := range lanes {
			lanes[i] = make(chan *QueuedMessage, len(list))
			wg.Go(func() {
				for m := range lanes[i] {
					if ctx.Err() != nil {
						continue // held until its lease ends, then sent again
					}
					if s.sendLimiter().Wait(ctx) != nil {
						continue // cancelled: held until its lease ends
					}
					o := MessageOutcome{ID: m.ID, Status: OutboxDone, Retry: now}
					if err := s.Messages.Deliver(ctx, m.ID, m.AccountNumber, m.Kind, m.Subject, m.Body, m.Created); err != nil {
						// Tried again by a later run, later each time.
						o.Status, o.Error, o.Retry = OutboxFailed, err.Error(), now.Add(time.Duration(m.Attempts+1)*time.Minute)
					}
					mu.Lock()
					outcomes = append(outcomes, o)
					if o.Status == OutboxDone {
						n++
					} else if len(errs) < 10 {
						errs = append(errs, errors.New(o.Error))
					}
					mu.Unlock()
				}
			})
		}
		lane := map[string]int{} // each account's, in the order first met
		for _, m := range list {
			if !mine[m.ID] {
				continue // another node has it
			}
			i, ok := lane[m.AccountNumber]
			if !ok {
				i = len(lane) % messageSenders
				lane[m.AccountNumber] = i
			}
			lanes[i] <- m
		}
		for _, l := range lanes {
			close(l)
		}
		wg.Wait()
		if err := s.Store.FinishMessages(context.WithoutCancel(ctx), outcomes); err != nil {
			return n, err
		}
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if len(list) < page {
			return n, errors.Join(errs...)
		}
	}
}
