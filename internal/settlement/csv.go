package settlement

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/openflex/openflex"
)

// CSVHeader is the first row of a settlement's CSV download.
var CSVHeader = []string{"settlement_id", "business_date", "line_id", "created", "type", "store_id", "amount", "fee_amount",
	"net_amount", "authorization_id", "capture_id", "return_id"}

// WriteCSV writes a settlement's lines (given newest first, as lists
// return them) as CSV, oldest first, amounts in cents. The API and the
// portal serve the same file.
func WriteCSV(w io.Writer, st *openflex.Settlement, lines []*openflex.SettlementLine) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if err := cw.Write([]string{st.ID, st.BusinessDate, l.ID, l.Created.UTC().Format(time.RFC3339), string(l.Type), l.StoreID,
			strconv.FormatInt(l.Amount, 10), strconv.FormatInt(l.Fee, 10), strconv.FormatInt(l.Net(), 10), l.AuthorizationID,
			l.CaptureID, l.ReturnID}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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
