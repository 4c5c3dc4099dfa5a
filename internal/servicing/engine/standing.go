package engine

import (
	"context"
	"strings"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// StaffAction freezes, unfreezes or closes an account for lender staff,
// with the staff member and the reason recorded on the status change and
// its account.status_changed event. The system never lifts a freeze or a
// closure; only staff unfreeze, and a closed account stays closed.
//
// Errors: parameter_missing without a reason or staff name;
// account_status_invalid for a move the account's standing does not allow.
func (s *Service) StaffAction(ctx context.Context, number string, action servicing.StaffAction, staff, reason string) (*openflex.Account, error) {
	var p openflex.Problems
	if strings.TrimSpace(reason) == "" {
		p.Missing("reason")
	} else if len(reason) > 500 {
		p.Invalid("reason", "reason must be at most 500 characters")
	}
	if strings.TrimSpace(staff) == "" {
		p.Missing("staff")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out *openflex.Account
	err := s.onAccount(ctx, number, func(ctx context.Context, a *account) error {
		res, err := a.state.SetStatus(action, reason, a.today())
		if err != nil {
			return err
		}
		a.changed = true
		a.actor = "staff:" + staff
		if err := s.apply(ctx, a, res, a.today(), source{}); err != nil {
			return err
		}
		out = a.acct
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, number)
	return out, nil
}

// Account returns an account as servicing sees it: its balances, its
// servicing record and state (segments, dues, the open cycle), its days
// applied through its clock's time as a read would not: reading an account
// never writes, so the state shown is as of its last applied day.
func (s *Service) Account(ctx context.Context, number string) (*AccountView, error) {
	acct, err := s.Store.Account(ctx, number)
	if err != nil {
		return nil, err
	}
	row, err := s.Store.Servicing(ctx, number)
	if err != nil {
		return nil, err
	}
	v := &AccountView{Account: acct, Row: row}
	if row.State != nil {
		v.State = &servicing.Account{}
		if err := unmarshal(row.State, v.State); err != nil {
			return nil, err
		}
	}
	if row.TestClockID != "" {
		if v.Clock, err = s.Store.TestClockByID(ctx, row.TestClockID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// AccountView is an account with its servicing record.
type AccountView struct {
	Account *openflex.Account
	Row     *Row
	State   *servicing.Account // nil before its first servicing step
	Clock   *TestClock
}
