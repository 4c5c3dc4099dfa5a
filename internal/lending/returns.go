package lending

import (
	"context"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

// ReturnRequest gives back part (Amount) or all (Full) of a capture.
type ReturnRequest struct {
	MerchantID string
	CaptureID  string
	Amount     int64
	Full       bool
	Reference  string
	Reason     string
}

// ReturnResult is a return with the capture and authorization it reduced.
type ReturnResult struct {
	Return        *openflex.Return
	Capture       *openflex.Capture
	Authorization *openflex.Authorization
}

// Return credits the account with part or all of a capture. Returns never
// exceed what was captured minus what was already returned
// (return_exceeds_captured).
func (s *Service) Return(ctx context.Context, r ReturnRequest) (*ReturnResult, error) {
	var p openflex.Problems
	switch {
	case r.Full && r.Amount != 0:
		p.Invalid("amount", "send amount or full: true, not both")
	case !r.Full:
		if r.Amount == 0 {
			p.Missing("amount")
		} else {
			p.Add(openflex.CheckAmount("amount", r.Amount, false))
		}
	}
	if len(r.Reason) > 500 {
		p.Invalid("reason", "reason must be at most 500 characters")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var res *ReturnResult
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		c, err := s.Store.Capture(ctx, r.MerchantID, r.CaptureID)
		if err != nil {
			return err
		}
		a, err := s.Store.Authorization(ctx, r.MerchantID, c.AuthorizationID)
		if err != nil {
			return err
		}
		left := c.Amount - c.ReturnedAmount
		amount := r.Amount
		if r.Full {
			amount = left
		}
		if amount == 0 || amount > left {
			return &openflex.Error{Code: openflex.CodeReturnExceeds, Param: "amount",
				Message: fmt.Sprintf("the return of %d cents exceeds the %d cents of the capture not yet returned", amount, left)}
		}
		ret := &openflex.Return{ID: openflex.NewID(openflex.PrefixReturn), MerchantID: c.MerchantID, CaptureID: c.ID,
			AuthorizationID: a.ID, StoreID: c.StoreID, AccountNumber: c.AccountNumber, Amount: amount,
			Reference: r.Reference, Reason: r.Reason, Created: s.now(),
			FeeRefund: feeOf(a).Refund(c.Amount, c.Fee, c.ReturnedAmount, amount)}
		if s.Servicing != nil {
			// The return reduces its purchase's segment first: servicing
			// reads the account's clock there, which dates the return.
			at, err := s.Servicing.Returned(ctx, a, ret)
			if err != nil {
				return err
			}
			ret.Created = at.UTC().Truncate(time.Microsecond)
		}
		if err := s.Store.CreateReturn(ctx, ret); err != nil {
			return err
		}
		if err := s.Store.AddCaptureReturned(ctx, c.ID, amount); err != nil {
			return err
		}
		t := &openflex.Transaction{MerchantID: c.MerchantID, StoreID: c.StoreID, AccountNumber: c.AccountNumber,
			Type: openflex.TxnReturn, Amount: amount, AuthorizationID: a.ID, CaptureID: c.ID, ReturnID: ret.ID, Reference: r.Reference}
		if err := s.postMerchant(ctx, t, ret.Created, 0, -amount, "available", "posted", ret.FeeRefund); err != nil {
			return err
		}
		c.ReturnedAmount += amount
		a.ReturnedAmount += amount
		if err := s.Store.UpdateAuthorization(ctx, a); err != nil {
			return err
		}
		res = &ReturnResult{Return: ret, Capture: c, Authorization: a}
		return s.emit(ctx, c.MerchantID, "return.created", res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Pay records a customer's payment towards the posted balance (at most
// what is owed: overpayments are refused).
func (s *Service) Pay(ctx context.Context, accountNumber string, amount int64) (*openflex.Account, error) {
	if fe := openflex.CheckAmount("amount", amount, false); fe != nil {
		return nil, (&openflex.Problems{*fe}).Err()
	}
	var acct *openflex.Account
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		a, err := s.Store.Account(ctx, accountNumber)
		if err != nil {
			return err
		}
		if amount > a.PostedBalance {
			return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "amount",
				Message: fmt.Sprintf("the payment exceeds the %d cents owed", a.PostedBalance)}
		}
		t := &openflex.Transaction{AccountNumber: accountNumber, Type: openflex.TxnPayment, Amount: amount}
		if err := s.post(ctx, t, s.now(), 0, -amount, "available", "posted"); err != nil {
			return err
		}
		acct, err = s.Store.Account(ctx, accountNumber)
		return err
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}
