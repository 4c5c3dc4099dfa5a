package engine

import (
	"context"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// Payoff quotes what pays off plan (a plan's id, its purchase's capture
// id) or, with plan "", the whole account, paid on day on: from the
// account's day on its clock to PayoffMaxDays later (zero on: today).
// Reading a quote writes nothing: the days the daily job has not applied
// yet are lived by a copy of the account, as the days up to on are.
//
// Errors: resource_missing for an unknown account or plan;
// parameter_invalid for a day outside the range, or a plan paid or moved
// into the regular balance by then.
func (s *Service) Payoff(ctx context.Context, number, plan string, on servicing.Date) (*servicing.Payoff, error) {
	v, err := s.Account(ctx, number)
	if err != nil {
		return nil, err
	}
	today, err := s.Today(ctx, number)
	if err != nil {
		return nil, err
	}
	if on.IsZero() {
		on = today
	}
	if err := servicing.CheckPayoffDate(today, on); err != nil {
		return nil, err
	}
	if v.State == nil { // never serviced: nothing bought yet
		if plan != "" {
			return nil, &openflex.Error{Code: openflex.CodeResourceMissing, Param: "plan", Message: "no plan " + plan + " on this account"}
		}
		return &servicing.Payoff{On: on, Kind: servicing.SegmentRevolving}, nil
	}
	return v.State.Payoff(plan, on)
}

// Today is the day number's account is on by its clock (its test clock in
// TRAINING), in its province's zone: the first day a payment may be made.
func (s *Service) Today(ctx context.Context, number string) (servicing.Date, error) {
	row, err := s.Store.Servicing(ctx, number)
	if err != nil {
		return servicing.Date{}, err
	}
	loc, err := row.Location()
	if err != nil {
		return servicing.Date{}, err
	}
	now, err := s.AccountTime(ctx, number)
	if err != nil {
		return servicing.Date{}, err
	}
	return servicing.DayOf(now, loc), nil
}
