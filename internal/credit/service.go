package credit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pii"
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

// Notifier delivers a verification code to a customer.
type Notifier interface {
	Send(ctx context.Context, channel, to, subject, body string) error
}

// DuplicateWindow is how long an earlier decision answers a new
// application from the same person.
const DuplicateWindow = 30 * 24 * time.Hour

// Verification rules of API.md.
const (
	VerificationTTL      = 10 * time.Minute
	VerificationAttempts = 5
	// TrainingCode always passes in TRAINING, where nothing is ever sent.
	TrainingCode = "222222"
)

// TermsVersion is the version of the credit terms applicants accept.
const TermsVersion = "2026-11"

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
		accts, err := s.Store.AccountsByIdentity(ctx, a.FirstName, a.LastName, a.DateOfBirth, "")
		if err != nil {
			return nil, err
		}
		for _, acct := range accts {
			if isOpen(acct.Status) {
				return s.Store.OpeningApplication(ctx, acct.Number)
			}
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

// openAccount opens a credit line with a fresh 14-digit Luhn number.
func (s *Service) openAccount(ctx context.Context, cust *openflex.Customer, limit int64, risk openflex.RiskCategory) (*openflex.Account, error) {
	for range 10 {
		acct := &openflex.Account{
			Number: NewAccountNumber(), CustomerID: cust.ID, Status: openflex.AccountNormal, CreditLimit: limit,
			Currency: openflex.CAD, RiskCategory: risk, Province: cust.Applicant.Address.Province, Language: cust.Language,
			FirstName: cust.Applicant.FirstName, LastName: cust.Applicant.LastName, Created: s.now(),
		}
		err := s.Store.CreateAccount(ctx, acct)
		if err == nil {
			return acct, nil
		}
		if openflex.ErrorCode(err) != openflex.CodeConflict {
			return nil, err
		}
	}
	return nil, errors.New("credit: could not draw a free account number")
}

// NewAccountNumber draws 13 random digits and appends the Luhn check digit.
// The first digit is never 0, so numbers keep 14 digits in any system.
func NewAccountNumber() string {
	var b strings.Builder
	for i := 0; i < 13; i++ {
		lo := int64(0)
		if i == 0 {
			lo = 1
		}
		n, err := rand.Int(rand.Reader, big.NewInt(10-lo))
		if err != nil {
			panic("credit: crypto/rand failed: " + err.Error())
		}
		b.WriteByte(byte('0' + lo + n.Int64()))
	}
	payload := b.String()
	return payload + string(openflex.LuhnCheckDigit(payload))
}

// Application returns merchantID's application.
func (s *Service) Application(ctx context.Context, merchantID, id string) (*openflex.Application, *openflex.Account, error) {
	app, err := s.Store.Application(ctx, merchantID, id)
	if err != nil {
		return nil, nil, err
	}
	return s.withAccount(ctx, app)
}

// Decide settles a pending application (lender staff, or the TRAINING test
// helper). Approval opens the account with the policy's limit for the
// stored bureau score unless limit is given, and grants the application's
// merchant consent; the pending repeats of the application (other
// merchants' records of the same person) follow the decision, on the same
// account, with no consent.
//
// A decline gives the reasons of ReviewReasons the reviewer chose, or
// manual_review_declined when none is given.
//
// It fails with parameter_invalid when the application is not pending,
// when it is a repeat (it follows the application it repeats), and when
// approval would open a second account for a person who holds an open one
// (OpenSeparate does that, deliberately).
func (s *Service) Decide(ctx context.Context, merchantID, id string, status openflex.ApplicationStatus, limit int64, reasons ...string) (*openflex.Application, *openflex.Account, error) {
	return s.decide(ctx, merchantID, id, status, limit, "", reasons)
}

// OpenSeparate approves a pending application with an account of its own
// even when it repeats another or the person already holds an open
// account: lender staff's deliberate choice, with a reason they give (the
// console audits it). The new account grants nobody consent: the merchant
// needs the customer's code, or a checkout, before it may charge it.
func (s *Service) OpenSeparate(ctx context.Context, id string, limit int64, reason string) (*openflex.Application, *openflex.Account, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, nil, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "reason", Message: "a separate account needs the reason staff open it"}
	}
	return s.decide(ctx, "", id, openflex.ApplicationApproved, limit, reason, nil)
}

func (s *Service) decide(ctx context.Context, merchantID, id string, status openflex.ApplicationStatus, limit int64, separate string, reasons []string) (*openflex.Application, *openflex.Account, error) {
	if status != openflex.ApplicationApproved && status != openflex.ApplicationDeclined {
		return nil, nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "status", Message: "status must be approved or declined"}
	}
	if limit < 0 || limit > openflex.MaxAmount {
		return nil, nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "credit_limit", Message: fmt.Sprintf("credit_limit must be from 0 to %d cents", openflex.MaxAmount)}
	}
	for _, r := range reasons {
		if status != openflex.ApplicationDeclined || !slices.Contains(ReviewReasons, r) {
			return nil, nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "reasons",
				Message: fmt.Sprintf("reasons apply to a decline and must be among %s", strings.Join(ReviewReasons, ", "))}
		}
	}
	if len(reasons) == 0 {
		reasons = []string{ReasonManualReviewDeclined}
	}
	var app *openflex.Application
	var acct *openflex.Account
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		var err error
		if app, err = s.Store.Application(ctx, merchantID, id); err != nil {
			return err
		}
		if app.Status != openflex.ApplicationPending {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "status", Message: fmt.Sprintf("application %s is already %s", id, app.Status)}
		}
		if app.RepeatOf != "" && separate == "" {
			// Deciding a repeat would open a second account, and grant
			// consent, on the word of a merchant the person may never
			// have met: it follows the application the person made.
			msg := fmt.Sprintf("application %s repeats an earlier application of the same person and follows its decision", id)
			if merchantID == "" {
				msg = fmt.Sprintf("application %s repeats %s and follows its decision: decide %s, or open a separate account deliberately", id, app.RepeatOf, app.RepeatOf)
			}
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "status", Message: msg}
		}
		app.Status, app.DecidedAt = status, s.now()
		if status == openflex.ApplicationDeclined {
			app.Reasons = nil
			for _, r := range slices.Compact(slices.Sorted(slices.Values(reasons))) {
				app.Reasons = append(app.Reasons, openflex.Reason{Code: r, Message: ReasonMessage(r, app.Language)})
			}
			if err := s.Store.UpdateDecision(ctx, app); err != nil {
				return err
			}
			if err := s.emit(ctx, app, nil, ""); err != nil {
				return err
			}
			return s.settleRepeats(ctx, app, nil)
		}
		cust, err := s.Store.Customer(ctx, app.CustomerID)
		if err != nil {
			return err
		}
		if separate == "" {
			held, err := s.openAccountOf(ctx, cust)
			if err != nil {
				return err
			}
			if held != nil {
				return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "status",
					Message: fmt.Sprintf("the applicant already holds an open account (opened by application %s): a second one is opened only deliberately, by lender staff", held.ID)}
			}
		}
		risk, credit := s.Policy.Offer(max(app.Score, s.Policy.ReviewBelow), cust.Applicant.AnnualIncome)
		d := Decision{Status: openflex.ApplicationApproved, CreditLimit: credit, RiskCategory: risk}
		if limit > 0 {
			d.CreditLimit = limit
		}
		if acct, err = s.openAccount(ctx, cust, d.CreditLimit, d.RiskCategory); err != nil {
			return err
		}
		app.Reasons, app.CreditLimit, app.RiskCategory, app.AccountNumber = nil, d.CreditLimit, d.RiskCategory, acct.Number
		if err := s.Store.UpdateDecision(ctx, app); err != nil {
			return err
		}
		if separate == "" {
			// Only the application the person made grants consent.
			if err := s.grantConsent(ctx, app); err != nil {
				return err
			}
		}
		if err := s.emit(ctx, app, acct, ""); err != nil {
			return err
		}
		if separate != "" {
			return nil // its repeats (if any) keep following their own original
		}
		return s.settleRepeats(ctx, app, acct)
	})
	if err != nil {
		return nil, nil, err
	}
	return app, acct, nil
}

// settleRepeats gives app's pending repeats its decision: the same status,
// reasons and account, and no consent (their merchants did not open it).
func (s *Service) settleRepeats(ctx context.Context, app *openflex.Application, acct *openflex.Account) error {
	reps, err := s.Store.PendingRepeats(ctx, app.ID)
	if err != nil {
		return err
	}
	for _, r := range reps {
		r.Status, r.Reasons, r.DecidedAt = app.Status, app.Reasons, app.DecidedAt
		r.CreditLimit, r.RiskCategory, r.AccountNumber = app.CreditLimit, app.RiskCategory, app.AccountNumber
		if err := s.Store.UpdateDecision(ctx, r); err != nil {
			return err
		}
		if err := s.emit(ctx, r, acct, ""); err != nil {
			return err
		}
	}
	return nil
}

// ReviewReasons are the reasons a reviewer may give for a decline.
var ReviewReasons = []string{ReasonManualReviewDeclined, ReasonCreditScore, ReasonInsufficientIncome, ReasonDebtServiceRatio,
	ReasonNoCreditFile, ReasonFraudAlert}

// ReviewFile is what lender staff see of a pending application: the
// application, the applicant, and the limit approval would give by policy.
type ReviewFile struct {
	Application *openflex.Application
	Customer    *openflex.Customer
	PolicyLimit int64
	PolicyRisk  openflex.RiskCategory
}

// Pending lists the applications waiting for lender review, oldest first.
func (s *Service) Pending(ctx context.Context, limit int) ([]*openflex.Application, error) {
	return s.Store.PendingApplications(ctx, limit)
}

// Review returns the file of one application for lender staff (any
// merchant's).
func (s *Service) Review(ctx context.Context, id string) (*ReviewFile, error) {
	app, err := s.Store.Application(ctx, "", id)
	if err != nil {
		return nil, err
	}
	cust, err := s.Store.Customer(ctx, app.CustomerID)
	if err != nil {
		return nil, err
	}
	risk, limit := s.Policy.Offer(max(app.Score, s.Policy.ReviewBelow), cust.Applicant.AnnualIncome)
	return &ReviewFile{Application: app, Customer: cust, PolicyLimit: limit, PolicyRisk: risk}, nil
}

// Account returns an account by number. Accounts are the customer's, not a
// merchant's: any merchant of the environment may look one up by number, as
// at any till that takes the card.
func (s *Service) Account(ctx context.Context, number string) (*openflex.Account, error) {
	if !openflex.ValidAccountNumber(number) {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "account_number", Message: "account_number must be 14 digits with a valid check digit"}
	}
	return s.Store.Account(ctx, number)
}

// Search finds accounts by exact first name, last name and date of birth,
// and postal code when given.
func (s *Service) Search(ctx context.Context, first, last, dob, postal string) ([]*openflex.Account, error) {
	var probs openflex.Problems
	if strings.TrimSpace(first) == "" {
		probs.Missing("first_name")
	}
	if strings.TrimSpace(last) == "" {
		probs.Missing("last_name")
	}
	if dob == "" {
		probs.Missing("date_of_birth")
	} else if _, err := time.Parse(time.DateOnly, dob); err != nil {
		probs.Invalid("date_of_birth", "date_of_birth must be a date, YYYY-MM-DD")
	}
	if postal != "" {
		if canon, ok := parsePostalCode(strings.ToUpper(strings.TrimSpace(postal))); ok {
			postal = canon
		} else {
			probs.Invalid("postal_code", "postal_code must be a Canadian postal code such as M5V 2T6")
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return s.Store.AccountsByIdentity(ctx, first, last, dob, postal)
}

func (s *Service) codeHash(verificationID, code string) []byte {
	m := hmac.New(sha256.New, s.CodeKey)
	m.Write([]byte(verificationID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// StartVerification sends the account holder a 6-digit code by sms or
// email, counted against the account's limits and the caller's budget
// (budgetKey: the key set, or TillBudget for the clerk screens); past a
// limit it fails with rate_limited and the error's RetryAfter. TRAINING
// never sends: the message lands in the validation inbox and the code
// 222222 also passes; its per-account limits are TrainingVerificationLimits.
func (s *Service) StartVerification(ctx context.Context, merchantID, budgetKey, number, channel string) (*openflex.Verification, error) {
	if channel != "sms" && channel != "email" {
		return nil, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "channel", Message: "channel must be sms or email"}
	}
	acct, err := s.Account(ctx, number)
	if err != nil {
		return nil, err
	}
	cust, err := s.Store.Customer(ctx, acct.CustomerID)
	if err != nil {
		return nil, err
	}
	to, masked := cust.Applicant.Phone, pii.MaskPhone(cust.Applicant.Phone)
	if channel == "email" {
		to, masked = cust.Applicant.Email, pii.MaskEmail(cust.Applicant.Email)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return nil, err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	v := &openflex.Verification{ID: openflex.NewID(openflex.PrefixVerification), AccountNumber: acct.Number, MerchantID: merchantID,
		BudgetKey: budgetKey, Channel: channel, SentTo: masked, Status: openflex.VerificationPending}
	v.CodeHash = s.codeHash(v.ID, code)
	body := fmt.Sprintf("Your OpenFlex verification code is %s. It expires in 10 minutes. Never share it with anyone.", code)
	if acct.Language == "fr" {
		body = fmt.Sprintf("Votre code de vérification OpenFlex est %s. Il expire dans 10 minutes. Ne le communiquez à personne.", code)
	}
	if s.Env == openflex.Production && s.Notifier == nil {
		return nil, openflex.Errorf(openflex.CodeUnavailable, "no %s provider is configured for verification codes", channel)
	}
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		// The budget first, then the account row (locked on PostgreSQL;
		// SQLite has one writer): concurrent requests count one after
		// another, so none can overshoot a limit, on any number of nodes.
		if budgetKey != "" {
			if err := s.Store.LockVerificationBudget(ctx, budgetKey); err != nil {
				return err
			}
		}
		if _, err := s.Store.Account(ctx, acct.Number); err != nil {
			return err
		}
		now := s.now()
		if err := s.admitCode(ctx, merchantID, budgetKey, acct.Number, now); err != nil {
			return err
		}
		v.Created, v.ExpiresAt = now, now.Add(VerificationTTL)
		if err := s.Store.CreateVerification(ctx, v); err != nil {
			return err
		}
		if s.Env == openflex.Training {
			return s.Store.RecordMessage(ctx, &openflex.Message{ID: openflex.NewID("msg"), MerchantID: merchantID, Channel: channel,
				Recipient: masked, Subject: "OpenFlex verification code", Body: body, Created: now})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.Env == openflex.Production {
		if err := s.Notifier.Send(ctx, channel, to, "OpenFlex verification code", body); err != nil {
			return nil, &openflex.Error{Code: openflex.CodeUnavailable, Message: "the verification code could not be sent; retry", Cause: err}
		}
	}
	return v, nil
}

// Verification returns merchantID's verification id (resource_missing for
// any other), as it stands: the till shows the step it has reached.
func (s *Service) Verification(ctx context.Context, merchantID, id string) (*openflex.Verification, error) {
	return s.Store.Verification(ctx, merchantID, id)
}

// Usable reports why v can no longer serve a purchase (verification_failed:
// used, locked or expired), nil when it still can.
func (s *Service) Usable(v *openflex.Verification) error {
	return s.usable(v, v.AccountNumber, openflex.VerificationPending, openflex.VerificationPassed)
}

// CheckVerification checks a code in its own transaction, so wrong tries
// are counted even when the purchase that carried them fails; the fifth
// wrong code locks the verification. Wrong codes also count against the
// account (limits.go): once its budget, or this merchant's share of it, is
// spent, codes are not compared (rate_limited) until the window passes. A
// right code marks it passed, ready to be consumed by one purchase.
// Errors: verification_failed (wrong, expired, locked, already used, or
// for another account), rate_limited, resource_missing.
func (s *Service) CheckVerification(ctx context.Context, merchantID, id, code, accountNumber string) error {
	var failure error
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		// The account row first, as every purchase locks it before the
		// verification: concurrent guesses on one account count one after
		// another. An unknown account has nothing to lock, and its
		// verification cannot match it.
		if _, err := s.Store.Account(ctx, accountNumber); err != nil && openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			return err
		}
		v, err := s.Store.Verification(ctx, merchantID, id)
		if err != nil {
			return err
		}
		if failure = s.usable(v, accountNumber, openflex.VerificationPending, openflex.VerificationPassed); failure != nil {
			return nil
		}
		if v.Status == openflex.VerificationPending {
			if failure = s.admitGuess(ctx, merchantID, v.AccountNumber, s.now()); failure != nil {
				return nil
			}
		}
		if hmac.Equal(v.CodeHash, s.codeHash(v.ID, code)) || (s.Env == openflex.Training && code == TrainingCode) {
			v.Status = openflex.VerificationPassed
			return s.Store.UpdateVerification(ctx, v)
		}
		v.Attempts++
		if v.Attempts >= VerificationAttempts {
			v.Status = openflex.VerificationLocked
		}
		failure = verifyFailed("the verification code is not correct")
		return s.Store.UpdateVerification(ctx, v)
	})
	if err != nil {
		return err
	}
	return failure
}

// ConsumeVerification uses a passed verification for one purchase, inside
// the purchase's transaction: if the purchase fails, the code stays usable.
func (s *Service) ConsumeVerification(ctx context.Context, merchantID, id, accountNumber string) error {
	v, err := s.Store.Verification(ctx, merchantID, id)
	if err != nil {
		return err
	}
	if err := s.usable(v, accountNumber, openflex.VerificationPassed); err != nil {
		return err
	}
	v.Status, v.UsedAt = openflex.VerificationConsumed, s.now()
	return s.Store.UpdateVerification(ctx, v)
}

func verifyFailed(msg string) error {
	return &openflex.Error{Code: openflex.CodeVerifyFailed, Param: "verification", Message: msg}
}

func (s *Service) usable(v *openflex.Verification, accountNumber string, allowed ...openflex.VerificationStatus) error {
	switch {
	case v.AccountNumber != accountNumber:
		return verifyFailed("this verification belongs to another account")
	case v.Status == openflex.VerificationLocked:
		return verifyFailed("this verification is locked after too many wrong codes; start a new one")
	case v.Status == openflex.VerificationConsumed:
		return verifyFailed("this verification was already used (a code passes once); start a new one")
	case !s.now().Before(v.ExpiresAt):
		return verifyFailed("this verification code has expired; start a new one")
	}
	for _, a := range allowed {
		if v.Status == a {
			return nil
		}
	}
	return verifyFailed("this verification has not been passed")
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
