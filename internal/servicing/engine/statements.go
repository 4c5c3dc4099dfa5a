package engine

import (
	"context"
	"encoding/json"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// storeStatement keeps a statement produced by a's day, with its text in
// the account's language, and sends statement.created.
func (s *Service) storeStatement(ctx context.Context, a *account, st *servicing.Statement) error {
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	ss := &StoredStatement{ID: openflex.NewID(openflex.PrefixStatement), AccountNumber: a.acct.Number,
		PeriodStart: st.PeriodStart.String(), PeriodEnd: st.PeriodEnd.String(), Opening: st.OpeningBalance, Closing: st.ClosingBalance,
		Minimum: st.MinimumPayment, DueDate: st.DueDate.String(), Language: st.Language, Body: body, Text: servicing.Render(st), Created: a.now}
	for _, l := range st.Lines {
		desc := l.Description
		if m := l.MerchantLabel(); m != "" {
			desc = m + " — " + desc
		}
		ss.Lines = append(ss.Lines, StatementLine{PostedOn: l.Date.String(), Kind: string(l.Kind), Description: desc, Amount: l.Amount})
	}
	if err := s.Store.CreateStatement(ctx, ss); err != nil {
		return err
	}
	return s.emit(ctx, "statement.created", &StatementView{Stored: ss, Statement: st}, a.merchants...)
}

// StatementView is a statement as kept with the statement it records.
type StatementView struct {
	Stored    *StoredStatement
	Statement *servicing.Statement
}

// View decodes a kept statement.
func View(ss *StoredStatement) (*StatementView, error) {
	var st servicing.Statement
	if err := json.Unmarshal(ss.Body, &st); err != nil {
		return nil, err
	}
	return &StatementView{Stored: ss, Statement: &st}, nil
}

// Statement returns statement id of account number (resource_missing for
// another account's).
func (s *Service) Statement(ctx context.Context, id string) (*StatementView, error) {
	ss, err := s.Store.Statement(ctx, id)
	if err != nil {
		return nil, err
	}
	return View(ss)
}

// Statements lists an account's statements, newest first.
func (s *Service) Statements(ctx context.Context, number string, p openflex.ListParams) ([]*StatementView, bool, error) {
	list, more, err := s.Store.Statements(ctx, number, p)
	if err != nil {
		return nil, false, err
	}
	out := make([]*StatementView, 0, len(list))
	for _, ss := range list {
		v, err := View(ss)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	return out, more, nil
}
