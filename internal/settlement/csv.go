package settlement

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/openflex/openflex"
)

// CSVHeader is the first row of a settlement's CSV download. The file is
// made for a merchant's accountant reconciling a payout against an order
// system with nothing else at hand: each line names its order reference
// and store, is dated in the store's own time, and carries signed amounts
// in dollars (the unit is in the column names) that add up, column by
// column, to the settlement's figures.
var CSVHeader = []string{"settlement_id", "business_date", "kind", "order_reference", "store_name", "local_date", "local_time",
	"time_zone", "amount_cad", "fee_cad", "net_cad", "store_id", "line_id", "authorization_id", "capture_id", "return_id", "created_utc"}

// CSV line kinds besides the transaction types capture and return.
const (
	// KindCarriedIn is the row of a negative amount a previous settlement
	// carried into this one, so the net column sums to what it pays.
	KindCarriedIn = "carried_in"
)

// CSV returns merchantID's settlement id and its lines as CSV (WriteCSV),
// built whole before anything is sent, so a failure is an error response
// rather than a cut-off file.
func (s *Service) CSV(ctx context.Context, merchantID, id string) (*openflex.Settlement, []byte, error) {
	st, err := s.Get(ctx, merchantID, id)
	if err != nil {
		return nil, nil, err
	}
	lines, err := s.AllLines(ctx, merchantID, st.ID)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	if err := s.WriteCSV(ctx, &b, st, lines); err != nil {
		return nil, nil, err
	}
	return st, b.Bytes(), nil
}

// WriteCSV writes settlement st's lines (given newest first, as lists
// return them) as CSV, oldest first. Amounts are signed from the
// merchant's side: a capture's amount is positive and its fee negative, a
// return's amount negative and its fee refund positive, a customer's
// payment taken in store negative (the merchant owes it to the lender),
// and net_cad is
// their sum. A settlement carrying a negative amount in ends with a
// carried_in row, so net_cad always sums to the settlement's amount (its
// payout when positive). The API and the portal serve the same file.
func (s *Service) WriteCSV(ctx context.Context, w io.Writer, st *openflex.Settlement, lines []*openflex.SettlementLine) error {
	stores, err := s.stores(ctx, st.MerchantID)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		store := stores[l.StoreID] // a deleted store: no name, the default zone
		zone := store.Location()
		local := l.Created.In(zone)
		amount, fee := l.Amount, -l.Fee
		if l.Type == openflex.TxnReturn || l.Type == openflex.TxnPayment {
			amount, fee = -l.Amount, l.Fee
		}
		if err := cw.Write([]string{st.ID, st.BusinessDate, string(l.Type), l.Reference, store.Name, local.Format(time.DateOnly),
			local.Format(time.TimeOnly), zone.String(), dollars(amount), dollars(fee), dollars(l.Net()), l.StoreID, l.ID,
			l.AuthorizationID, l.CaptureID, l.ReturnID, l.Created.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	if st.CarriedIn != 0 {
		if err := cw.Write([]string{st.ID, st.BusinessDate, KindCarriedIn, "", "", "", "", "", dollars(st.CarriedIn), dollars(0),
			dollars(st.CarriedIn), "", "", "", "", "", ""}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// dollars writes cents as a signed decimal a spreadsheet reads as a number
// ("-1234.56"): no grouping, no currency sign, never through floating point.
func dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// stores returns merchantID's stores by id.
func (s *Service) stores(ctx context.Context, merchantID string) (map[string]openflex.Store, error) {
	out := map[string]openflex.Store{}
	p := openflex.ListParams{Limit: openflex.MaxListLimit}
	for {
		page, more, err := s.Catalog.Stores(ctx, merchantID, p)
		if err != nil {
			return nil, fmt.Errorf("stores of %s: %w", merchantID, err)
		}
		for _, st := range page {
			out[st.ID] = st
		}
		if !more || len(page) == 0 {
			return out, nil
		}
		p.StartingAfter = page[len(page)-1].ID
	}
}

// AllLines reads every line of a settlement, newest first.
func (s *Service) AllLines(ctx context.Context, merchantID, id string) ([]*openflex.SettlementLine, error) {
	var all []*openflex.SettlementLine
	lp := openflex.ListParams{Limit: openflex.MaxListLimit}
	for {
		page, more, err := s.Lines(ctx, merchantID, id, lp)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if !more || len(page) == 0 {
			return all, nil
		}
		lp.StartingAfter = page[len(page)-1].ID
	}
}
