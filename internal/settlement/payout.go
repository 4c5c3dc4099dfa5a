package settlement

import (
	"context"
	"fmt"
	"io"

	"github.com/openflex/openflex"
)

// BankAccounts reads where merchants are paid (the control plane).
type BankAccounts interface {
	BankAccount(ctx context.Context, merchantID string) (openflex.BankAccount, error)
}

// PayoutRun is one payout run: the pending settlements of a business
// date, paid together, with or without the bank's credit file.
type PayoutRun struct {
	Date string
	// File, when set, receives the CPA-005 credit file (PRODUCTION only):
	// then only settlements the file carries are paid — a merchant without
	// a bank account, or whose account the file cannot carry, is skipped
	// and named, and every other merchant is paid.
	File       io.Writer
	Originator Originator
	FileNumber int
	// Written, when set, is called after the file is written and before
	// anything is paid (the CLI syncs and closes the file there): an error
	// pays nothing.
	Written func() error
}

// SkippedPayout is a settlement a run left unpaid, and why.
type SkippedPayout struct {
	Settlement *openflex.Settlement
	Reason     string
}

// PayoutResult is what a run paid and what it left.
type PayoutResult struct {
	Paid    []*openflex.Settlement
	Total   int64
	Skipped []SkippedPayout
}

// RunPayouts pays the settlements due on run.Date in one transaction, after
// writing the credit file when one is asked for. Errors: parameter_invalid
// for a bad date or originator; a settlement paid meanwhile by another run
// fails the whole run (ErrNotPending), paying nothing.
func (s *Service) RunPayouts(ctx context.Context, run PayoutRun) (PayoutResult, error) {
	var res PayoutResult
	if !ValidDate(run.Date) {
		return res, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "date", Message: "date must be YYYY-MM-DD"}
	}
	if run.File != nil && s.Env != openflex.Production {
		return res, &openflex.Error{Code: openflex.CodeParameterInvalid, Param: "file", Message: "TRAINING writes no payment file: its settlements pay themselves"}
	}
	due, err := s.Due(ctx, run.Date)
	if err != nil {
		return res, err
	}
	pay := due
	if run.File != nil {
		if s.Banks == nil {
			return res, fmt.Errorf("settlement: a payout file needs Service.Banks")
		}
		pay = nil
		var credits []Credit
		now := s.now()
		for _, st := range due {
			bank, err := s.Banks.BankAccount(ctx, st.MerchantID)
			if openflex.ErrorCode(err) == openflex.CodeResourceMissing {
				res.Skipped = append(res.Skipped, SkippedPayout{st, "the merchant has no bank account (openflex merchant bank-account)"})
				continue
			}
			if err != nil {
				return res, err
			}
			pay = append(pay, st)
			credits = append(credits, Credit{Amount: st.Amount(), DueDate: now, Account: bank, PayeeName: bank.HolderName,
				CrossReference: st.ID[len(st.ID)-19:], Sundry: st.BusinessDate})
		}
		skipped, err := WriteCPA005(run.File, run.Originator, run.FileNumber, now, credits)
		if err != nil {
			return res, err
		}
		if run.Written != nil {
			if err := run.Written(); err != nil {
				return res, err
			}
		}
		left := map[int]bool{}
		for _, sk := range skipped {
			left[sk.Index] = true
			res.Skipped = append(res.Skipped, SkippedPayout{pay[sk.Index], sk.Reason})
		}
		kept := pay[:0:0]
		for i, st := range pay {
			if !left[i] {
				kept = append(kept, st)
			}
		}
		pay = kept // with a file, each settlement paid is one credit in it
	}
	err = s.Store.Write(ctx, func(ctx context.Context) error {
		res.Total = 0
		for _, st := range pay {
			if err := s.Pay(ctx, st); err != nil {
				return fmt.Errorf("pay %s: %w", st.ID, err)
			}
			res.Total += st.Amount()
		}
		return nil
	})
	if err != nil {
		return PayoutResult{}, err
	}
	res.Paid = pay
	return res, nil
}
