package credit

import (
	"context"
	"errors"
	"time"

	"github.com/openflex/openflex"
)

// DuplicateWindow is how long an earlier decision answers a new
// application from the same person.
const DuplicateWindow = 30 * 24 * time.Hour

// TermsVersion is the version of the credit terms applicants accept.
const TermsVersion = "2026-11"

// ApplyRequest is a credit application as submitted by a merchant.
type ApplyRequest struct {
	MerchantID      string
	StoreID         string
	Applicant       openflex.Applicant
	Consent         openflex.Consent
	RequestedAmount int64
	Language        string
	// Location is the store's time zone: ages are counted on the store's
	// calendar, not UTC's (nil: UTC).
	Location *time.Location
}

// Prepared is an application validated and decided, not yet stored.
type Prepared struct {
	req      ApplyRequest
	earlier  *openflex.Application
	report   Report
	outcome  string
	decision Decision
	appID    string
	at       time.Time
}

// Prepare validates an application (every field problem at once), answers
// a repeat within 30 days with the earlier decision, and otherwise asks the
// bureau and applies the policy. It writes nothing: Commit does, so the
// bureau call never runs inside a write transaction. In PRODUCTION without
// a reachable bureau it fails with bureau_unavailable, never approving.
func (s *Service) Prepare(ctx context.Context, req ApplyRequest) (*Prepared, error) {
	now := s.now()
	local := now
	if req.Location != nil {
		local = now.In(req.Location)
	}
	if err := ValidateApplicant(&req.Applicant, req.Consent, req.RequestedAmount, local); err != nil {
		return nil, err
	}
	if req.Language != "fr" {
		req.Language = "en"
	}
	req.Consent.At, req.Consent.TermsVersion = now, TermsVersion
	p := &Prepared{req: req, appID: openflex.NewID(openflex.PrefixApplication), at: now}
	a := req.Applicant
	earlier, err := s.earlier(ctx, req.MerchantID, a, now)
	switch {
	case err == nil:
		// A repeat answers with the earlier decision (a pending review
		// answers again as pending) and opens nothing: Commit.
		p.earlier = earlier
		return p, nil
	case openflex.ErrorCode(err) != openflex.CodeResourceMissing:
		return nil, err
	}
	if s.Bureau == nil {
		return nil, ErrUnavailable
	}
	rep, err := s.Bureau.Inquire(ctx, Inquiry{Applicant: a, Consent: req.Consent, Reference: p.appID})
	switch {
	case errors.Is(err, ErrTimeout):
		p.outcome = "timeout"
		p.decision = Decision{Status: openflex.ApplicationRetry, Reasons: []openflex.Reason{{Code: ReasonBureauTimeout, Message: ReasonMessage(ReasonBureauTimeout, "en")}}}
		return p, nil
	case err != nil:
		return nil, err
	}
	p.report = rep
	switch {
	case !rep.Hit:
		p.outcome = "no_hit"
	case rep.Fraud:
		p.outcome = "fraud"
	default:
		p.outcome = "hit"
	}
	p.decision = s.Policy.Decide(rep, a, req.RequestedAmount)
	return p, nil
}

// Commit stores a prepared application: the customer, the application,
// the inquiry with its consent and, when approved, the new account, all in
// one transaction (the caller's, when its context carries one).
func (s *Service) Commit(ctx context.Context, p *Prepared) (*openflex.Application, *openflex.Account, error) {
	if e := p.earlier; e != nil {
		if e.MerchantID == p.req.MerchantID {
			return s.withAccount(ctx, e)
		}
		// Another merchant's earlier application: this merchant gets its
		// own record of the same decision, and no new bureau inquiry. The
		// record repeats the application the person made; it follows that
		// decision (Decide refuses it on its own), opens no account and
		// grants this merchant no consent.
		var app *openflex.Application
		err := s.Store.Write(ctx, func(ctx context.Context) error {
			// The application repeated is read again, locked, in this
			// transaction: a decision made since Prepare is the one
			// copied, and a decision being made waits for this record,
			// then settles it with the others (settleRepeats).
			root := e.ID
			if e.RepeatOf != "" {
				root = e.RepeatOf
			}
			cur, err := s.Store.Application(ctx, "", root)
			if err != nil {
				return err
			}
			app = repeatOf(cur, p.appID, p.req.MerchantID, p.req.StoreID, p.at)
			app.RequestedAmount, app.Consent = p.req.RequestedAmount, p.req.Consent
			return s.Store.CreateApplication(ctx, app)
		})
		if err != nil {
			return nil, nil, err
		}
		return s.withAccount(ctx, app)
	}
	var app *openflex.Application
	var acct *openflex.Account
	var opened bool
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		cust := &openflex.Customer{ID: openflex.NewID("cus"), Applicant: p.req.Applicant, Language: p.req.Language, Created: p.at}
		if err := s.Store.CreateCustomer(ctx, cust); err != nil {
			return err
		}
		d := p.decision
		app = &openflex.Application{
			ID: p.appID, MerchantID: p.req.MerchantID, StoreID: p.req.StoreID, CustomerID: cust.ID, Status: d.Status,
			Reasons: d.Reasons, RequestedAmount: p.req.RequestedAmount, Score: p.report.Score, Language: p.req.Language,
			Consent: p.req.Consent, Created: p.at,
		}
		if d.Status != openflex.ApplicationPending {
			app.DecidedAt = p.at
		}
		opened = false
		if d.Status == openflex.ApplicationApproved {
			held, err := s.openAccountOf(ctx, cust)
			if err != nil {
				return err
			}
			if held != nil {
				// The person opened an account meanwhile (a concurrent
				// application): this one becomes its repeat.
				if acct, err = s.Store.Account(ctx, held.AccountNumber); err != nil {
					return err
				}
				app = repeatOf(held, app.ID, app.MerchantID, app.StoreID, p.at)
				app.CustomerID, app.RequestedAmount, app.Consent, app.Score = cust.ID, p.req.RequestedAmount, p.req.Consent, p.report.Score
			} else {
				if acct, err = s.openAccount(ctx, cust, d.CreditLimit, d.RiskCategory); err != nil {
					return err
				}
				app.CreditLimit, app.RiskCategory, app.AccountNumber = d.CreditLimit, d.RiskCategory, acct.Number
				opened = true
			}
		}
		if err := s.Store.CreateApplication(ctx, app); err != nil {
			return err
		}
		if opened {
			if err := s.grantConsent(ctx, app); err != nil {
				return err
			}
		}
		if err := s.emit(ctx, app, acct, ""); err != nil {
			return err
		}
		return s.Store.RecordInquiry(ctx, &openflex.Inquiry{
			ID: openflex.NewID("inq"), ApplicationID: app.ID, CustomerID: cust.ID, Bureau: p.report.Bureau,
			Outcome: p.outcome, Score: p.report.Score, Reference: p.report.Reference, Consent: p.req.Consent, Created: p.at,
		})
	})
	if err != nil {
		return nil, nil, err
	}
	if opened && s.Welcome != nil {
		// After the commit: a message never goes out for an account that
		// was not opened.
		s.Welcome(ctx, acct)
	}
	return app, acct, nil
}

// Repeat reports whether the application repeats an earlier one of the
// same person (its decision and account are the earlier ones). A repeat
// proves nothing about who is applying: name and date of birth are not
// secrets, so it never signs anyone in to the account.
func (p *Prepared) Repeat() bool { return p.earlier != nil }

// earlier finds the application a new one from merchantID repeats: the
// person's newest application of the last DuplicateWindow (pending or
// decided), or, past the window, the application that opened an account
// the person still holds. It resolves a repeat to the application the
// person made, unless merchantID's own record is the one found. Not found:
// resource_missing.
func (s *Service) earlier(ctx context.Context, merchantID string, a openflex.Applicant, now time.Time) (*openflex.Application, error) {
	e, err := s.Store.RecentApplication(ctx, a.FirstName, a.LastName, a.DateOfBirth, now.Add(-DuplicateWindow))
	if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
		held, err := s.heldAccountOpening(ctx, a)
		if err != nil || held != nil {
			return held, err
		}
		return nil, openflex.NotFound("application", "")
	}
	if err != nil || e.RepeatOf == "" || e.MerchantID == merchantID {
		return e, err
	}
	return s.Store.Application(ctx, "", e.RepeatOf)
}

// isOpen reports whether an account in this standing counts as the
// person's open account: everything but closed and charged off.
func isOpen(st openflex.AccountStatus) bool {
	return st != openflex.AccountClosed && st != openflex.AccountChargedOff
}

// openAccountOf returns the application that opened an account cust's
// person still holds, nil when there is none, under a lock that keeps
// another transaction from opening one until this one ends.
func (s *Service) openAccountOf(ctx context.Context, cust *openflex.Customer) (*openflex.Application, error) {
	a := cust.Applicant
	if err := s.Store.LockIdentity(ctx, a.FirstName, a.LastName, a.DateOfBirth); err != nil {
		return nil, err
	}
	return s.heldAccountOpening(ctx, a)
}

// heldAccountOpening returns the application that opened an account the
// person a still holds (see isOpen), nil when there is none.
func (s *Service) heldAccountOpening(ctx context.Context, a openflex.Applicant) (*openflex.Application, error) {
	accts, err := s.Store.AccountsByIdentity(ctx, a.FirstName, a.LastName, a.DateOfBirth, "")
	if err != nil {
		return nil, err
	}
	for _, acct := range accts {
		if isOpen(acct.Status) {
			return s.Store.OpeningApplication(ctx, acct.Number)
		}
	}
	return nil, nil
}

// repeatOf is merchantID's record of e's decision, repeating the
// application the person made (e itself, or the one e repeats).
func repeatOf(e *openflex.Application, id, merchantID, storeID string, at time.Time) *openflex.Application {
	app := *e
	if app.RepeatOf == "" {
		app.RepeatOf = e.ID
	}
	app.ID, app.MerchantID, app.StoreID, app.Created = id, merchantID, storeID, at
	return &app
}

// grantConsent records that the applicant, by applying through app's
// merchant and opening an account with it, allowed that merchant to post
// purchases on the new account. Only an account opened by this very
// application does: a repeat application returns an existing account and
// grants nothing.
func (s *Service) grantConsent(ctx context.Context, app *openflex.Application) error {
	c := &openflex.AccountConsent{ID: openflex.NewID(openflex.PrefixConsent), AccountNumber: app.AccountNumber, MerchantID: app.MerchantID,
		Source: openflex.ConsentByApplication, ApplicationID: app.ID, Created: s.now()}
	stored, err := s.Store.GrantConsent(ctx, c)
	if err != nil || !stored || s.Render == nil {
		return err
	}
	b, err := s.Render(c)
	if err != nil {
		return err
	}
	return s.Store.AppendEvent(ctx, &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: c.MerchantID, Type: "consent.granted", Object: b, Created: s.now()})
}

func (s *Service) withAccount(ctx context.Context, app *openflex.Application) (*openflex.Application, *openflex.Account, error) {
	if app.AccountNumber == "" {
		return app, nil, nil
	}
	acct, err := s.Store.Account(ctx, app.AccountNumber)
	if err != nil {
		return nil, nil, err
	}
	return app, acct, nil
}

// Application returns merchantID's application.
func (s *Service) Application(ctx context.Context, merchantID, id string) (*openflex.Application, *openflex.Account, error) {
	app, err := s.Store.Application(ctx, merchantID, id)
	if err != nil {
		return nil, nil, err
	}
	return s.withAccount(ctx, app)
}

// emit records the application's event (application.<status>, or typ) in
// the caller's transaction. A retry decision has no event: nothing was
// decided.
func (s *Service) emit(ctx context.Context, app *openflex.Application, acct *openflex.Account, typ string) error {
	if typ == "" {
		if app.Status == openflex.ApplicationRetry {
			return nil
		}
		typ = "application." + string(app.Status)
	}
	if s.Render == nil {
		return nil
	}
	b, err := s.Render(&ApplicationView{Application: app, Account: acct})
	if err != nil {
		return err
	}
	return s.Store.AppendEvent(ctx, &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: app.MerchantID,
		Type: typ, Object: b, Created: s.now()})
}
