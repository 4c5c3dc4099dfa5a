// Package settlement pays merchants: it cuts each merchant's day into a
// settlement at midnight in each store's time zone, rolls the settlement
// lines written with captures and returns into it, carries a negative day
// forward, pays settlements (a payout on the ledger, and a CPA Standard 005
// file for the bank) and checks that the merchant payable equals what the
// lines and settlements say.
//
// The cut runs off the request path (a job, every minute, on every node):
// closing one merchant's day is one transaction whose settlement row is
// unique per merchant and date, so a second node's attempt fails and
// changes nothing.
package settlement

import (
	"slices"
	"time"

	"github.com/openflex/openflex"
)

// Build totals lines into a settlement of merchantID's date in env, with carriedIn
// (≤ 0) from the previous settlement. Every total is the exact sum of its
// lines; the per-store breakdown sums to the totals.
func Build(env openflex.Environment, merchantID, date string, lines []*openflex.SettlementLine, carriedIn int64) *openflex.Settlement {
	s := &openflex.Settlement{ID: ID(env, merchantID, date), MerchantID: merchantID, BusinessDate: date, CarriedIn: carriedIn,
		Status: openflex.SettlementOpen}
	per := map[string]*openflex.StoreTotals{}
	for _, l := range lines {
		s.Add(l)
		st := per[l.StoreID]
		if st == nil {
			st = &openflex.StoreTotals{StoreID: l.StoreID}
			per[l.StoreID] = st
		}
		st.Add(l)
	}
	for _, st := range per {
		s.Stores = append(s.Stores, *st)
	}
	slices.SortFunc(s.Stores, func(a, b openflex.StoreTotals) int { return compare(a.StoreID, b.StoreID) })
	return s
}

// Close sets a built settlement's closing status: a negative amount
// carries forward, zero is settled with nothing to pay, a positive amount
// waits for its payout.
func Close(s *openflex.Settlement, at time.Time) {
	s.ClosedAt, s.Created = at, at
	switch a := s.Amount(); {
	case a < 0:
		s.Status = openflex.SettlementCarriedForward
	case a == 0:
		s.Status, s.PaidAt = openflex.SettlementPaid, at
	default:
		s.Status = openflex.SettlementPending
	}
}

// CarryOf is what the previous settlement carries into the next (≤ 0).
func CarryOf(prev *openflex.Settlement) int64 {
	if prev != nil && prev.Status == openflex.SettlementCarriedForward {
		return prev.Amount()
	}
	return 0
}

// Assign puts each line in the first of dates (ascending) whose cut for
// the line's store comes after the line was created; lines after the last
// date's cut are left out. It is the cut's rule, applied to the open days.
func Assign(lines []*openflex.SettlementLine, dates []string, loc func(storeID string) *time.Location) map[string][]*openflex.SettlementLine {
	out := map[string][]*openflex.SettlementLine{}
	for _, l := range lines {
		z := loc(l.StoreID)
		for _, d := range dates {
			if l.Created.Before(Boundary(d, z)) {
				out[d] = append(out[d], l)
				break
			}
		}
	}
	return out
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
