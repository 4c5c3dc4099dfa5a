package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/servicing"
)

// DailyPaymentLimit is the most an account may be paid in one day, in
// cents ($10,000, as Flexiti's limit_payment_amount_24).
const DailyPaymentLimit = 10_000_00

// PaymentRequest is a payment towards an account.
type PaymentRequest struct {
	AccountNumber string
	Amount        int64
	// Channel is in_store (a merchant took it: MerchantID, StoreID and a
	// passed VerificationID are required), bank, cheque, debit, or
	// test_helper.
	Channel        string
	MerchantID     string
	StoreID        string
	RegisterID     string
	EmployeeID     string
	VerificationID string
	Reference      string
	// Segment directs the payment at a plan (paying it off early): see
	// servicing.Payment.Segment.
	Segment string
}

// Validate reports every field problem of r at once.
func (r *PaymentRequest) Validate() error {
	var p openflex.Problems
	if r.AccountNumber == "" {
		p.Missing("account_number")
	} else if !openflex.ValidAccountNumber(r.AccountNumber) {
		p.Invalid("account_number", "account_number must be 14 digits with a valid check digit")
	}
	p.Add(openflex.CheckAmount("amount", r.Amount, false))
	switch r.Channel {
	case "":
		p.Missing("channel")
	case ChannelInStore:
		if r.StoreID == "" {
			p.Missing("store_id")
		}
	case ChannelBank, ChannelCheque, ChannelDebit, ChannelTestHelper:
	default:
		p.Invalid("channel", "channel must be in_store")
	}
	if len(r.Reference) > 255 {
		p.Invalid("reference", "reference must be at most 255 characters")
	}
	if len(r.RegisterID) > 100 {
		p.Invalid("register_id", "register_id must be at most 100 characters")
	}
	if len(r.EmployeeID) > 100 {
		p.Invalid("employee_id", "employee_id must be at most 100 characters")
	}
	if r.VerificationID != "" && !strings.HasPrefix(r.VerificationID, openflex.PrefixVerification+"_") {
		p.Invalid("verification.id", "verification.id must be a verification id (ver_…)")
	}
	return p.Err()
}

// lenderSide reports whether a payment of channel reaches the lender
// itself (a bank bill payment, a cheque, a debit).
func lenderSide(channel string) bool {
	return channel == ChannelBank || channel == ChannelCheque || channel == ChannelDebit
}

// PaymentResult is a payment with the account after it.
type PaymentResult struct {
	Payment *Payment
	Account *openflex.Account
}

// Pay applies a payment to its account, dated by the account's clock:
// allocated by the servicing rules, booked as one ledger transaction, with
// its receipt (the payment) and payment.succeeded. In store it consumes
// the customer's passed verification, and the cash the merchant took is
// netted from its next settlement (a settlement line of its own).
//
// A lender-side payment (bank, cheque, debit) with a reference is
// recorded once: the same reference again answers the payment already
// recorded, unless it was reversed (a cheque deposited again).
//
// Errors: the request's field errors; verification_required (in store,
// without one); payment_limit_exceeded past DailyPaymentLimit in one day;
// parameter_invalid for a reference already used for another amount.
func (s *Service) Pay(ctx context.Context, r PaymentRequest) (*PaymentResult, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *PaymentResult
	err := s.onAccount(ctx, r.AccountNumber, func(ctx context.Context, a *account) error {
		if lenderSide(r.Channel) && r.Reference != "" {
			// The lender's side has no Idempotency-Key: the bank's or the
			// cheque's reference makes a second recording of the same
			// payment (a file imported twice) answer the first.
			prev, err := s.Store.PaymentByReference(ctx, r.AccountNumber, r.Channel, r.Reference)
			if err != nil {
				return err
			}
			if prev != nil {
				if prev.Amount != r.Amount {
					return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "reference",
						Message: fmt.Sprintf("payment %s already has reference %q, for %s", prev.ID, r.Reference, openflex.FormatCAD(prev.Amount, "en"))}
				}
				out = &PaymentResult{Payment: prev, Account: a.acct}
				return nil
			}
		}
		if r.Channel == ChannelInStore {
			if r.VerificationID == "" {
				return &openflex.Error{Code: openflex.CodeVerifyRequired, Param: "verification",
					Message: "in-store payments need a passed customer verification"}
			}
			if err := s.Verifier.ConsumeVerification(ctx, r.MerchantID, r.VerificationID, r.AccountNumber); err != nil {
				return err
			}
		}
		day := a.today()
		paid, err := s.Store.PaidOn(ctx, r.AccountNumber, day.String())
		if err != nil {
			return err
		}
		if paid+r.Amount > DailyPaymentLimit {
			return &openflex.Error{Code: openflex.CodePaymentLimit, Param: "amount",
				Message: fmt.Sprintf("an account takes at most %s of payments a day; %s were paid today", openflex.FormatCAD(DailyPaymentLimit, "en"), openflex.FormatCAD(paid, "en"))}
		}
		p := &Payment{ID: openflex.NewID(openflex.PrefixPayment), AccountNumber: r.AccountNumber, Amount: r.Amount, Channel: r.Channel,
			MerchantID: r.MerchantID, StoreID: r.StoreID, RegisterID: r.RegisterID, EmployeeID: r.EmployeeID, VerificationID: r.VerificationID,
			Reference: r.Reference, Status: PaymentSucceeded, PostedOn: day.String(), Created: a.now}
		res, err := a.state.Pay(servicing.Payment{ID: p.ID, Date: day, Amount: r.Amount, Channel: r.Channel, Segment: r.Segment})
		if err != nil {
			return err
		}
		a.changed = true
		txn := &openflex.Transaction{ID: openflex.NewID(openflex.PrefixTransaction), AccountNumber: r.AccountNumber, Reference: p.ID}
		p.TransactionID = txn.ID
		src := source{Ledger: LedgerCash, Txn: txn, Ref: p.ID}
		if r.Channel == ChannelInStore {
			src.Ledger, src.MerchantID, src.StoreID = lending.PayableLedger(r.MerchantID), r.MerchantID, r.StoreID
		}
		for _, ps := range res.Postings {
			if ps.Reason == servicing.ReasonPayment || ps.Reason == servicing.ReasonRecovery {
				p.Allocation = append(p.Allocation, AllocationLine{SegmentID: ps.Segment, Bucket: string(ps.Bucket), Amount: -ps.Amount})
			}
		}
		if err := s.Store.CreatePayment(ctx, p); err != nil {
			return err
		}
		if err := s.apply(ctx, a, res, day, src); err != nil {
			return err
		}
		if r.Channel == ChannelInStore {
			// The merchant kept the customer's cash: the lender pays it that
			// much less at its next settlement.
			if err := s.Store.AddSettlementLine(ctx, &openflex.SettlementLine{ID: txn.ID, MerchantID: r.MerchantID, StoreID: r.StoreID,
				Type: openflex.TxnPayment, Amount: r.Amount, Created: s.wall()}); err != nil {
				return err
			}
		}
		out = &PaymentResult{Payment: p, Account: a.acct}
		if err := s.queuePayment(ctx, a, p); err != nil {
			return err
		}
		return s.emit(ctx, "payment.succeeded", out, append(a.merchants, r.MerchantID)...)
	})
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, r.AccountNumber)
	return out, nil
}

// Reverse undoes a payment from the lender's side: a returned cheque or
// debit (returned: the lender's NSF fee is charged) or a correction. The
// payment's allocation is undone exactly and the standing moves back, in
// one transaction with payment.reversed. A merchant's in-store cash
// payment cannot bounce, so it is not reversed here.
//
// Errors: resource_missing; payment_not_reversible for a payment already
// reversed or taken in store; parameter_missing without a reason.
func (s *Service) Reverse(ctx context.Context, paymentID string, returned bool, reason string) (*PaymentResult, error) {
	return s.reverse(ctx, paymentID, returned, reason, true)
}

// reverse is Reverse; tell queues the customer's payment_reversed message
// (a returned PAD debit is told by package pad's own notice instead).
func (s *Service) reverse(ctx context.Context, paymentID string, returned bool, reason string, tell bool) (*PaymentResult, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, &openflex.Error{Code: openflex.CodeParameterMissing, Param: "reason", Message: "a reversal needs its reason"}
	}
	p, err := s.Store.Payment(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	var out *PaymentResult
	err = s.onAccount(ctx, p.AccountNumber, func(ctx context.Context, a *account) error {
		p, err := s.Store.Payment(ctx, paymentID) // again, locked
		if err != nil {
			return err
		}
		switch {
		case p.Status == PaymentReversed:
			return openflex.Errorf(openflex.CodePaymentNotReversible, "payment %s is already reversed", p.ID)
		case p.Channel == ChannelInStore:
			return openflex.Errorf(openflex.CodePaymentNotReversible, "payment %s was cash taken in store by a merchant: it cannot be returned", p.ID)
		}
		day := a.today()
		res, err := a.state.Reverse(servicing.Reversal{PaymentID: p.ID, Date: day, Returned: returned, Reason: reason})
		if err != nil {
			return err
		}
		a.changed = true
		txn := &openflex.Transaction{ID: openflex.NewID(openflex.PrefixTransaction), AccountNumber: p.AccountNumber, Reference: p.ID}
		if err := s.apply(ctx, a, res, day, source{Ledger: LedgerCash, Txn: txn, Ref: p.ID}); err != nil {
			return err
		}
		for _, ps := range res.Postings {
			if ps.Reason == servicing.ReasonNSFFee {
				p.NSFFee += ps.Amount
			}
		}
		p.Status, p.ReversalID, p.ReversalReason, p.ReversedAt = PaymentReversed, txn.ID, reason, a.now
		if err := s.Store.UpdatePayment(ctx, p); err != nil {
			return err
		}
		out = &PaymentResult{Payment: p, Account: a.acct}
		if tell {
			if err := s.queueReversal(ctx, a, p, returned); err != nil {
				return err
			}
		}
		return s.emit(ctx, "payment.reversed", out, a.merchants...)
	})
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, p.AccountNumber)
	return out, nil
}

// Payment returns payment id.
func (s *Service) Payment(ctx context.Context, id string) (*Payment, error) {
	return s.Store.Payment(ctx, id)
}
