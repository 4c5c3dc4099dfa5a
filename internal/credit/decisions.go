package credit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/openflex/openflex"
)

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
