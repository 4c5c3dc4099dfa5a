package settlement_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/storetest"
)

// TestCSVReconciles is the accountant's file: every line names its order
// reference and store, is dated in the store's own time zone, and carries
// signed dollar amounts whose net column adds up to what the settlement
// pays, a negative carry from an earlier day included.
func TestCSVReconciles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, map[string][2]string{"Queen St": {"ON", "America/Toronto"}, "Kitsilano": {"BC", ""}})
		at := func(s string) { w.at(mustTime(t, s)) }

		at("2027-01-04T10:00:00-05:00")
		c1 := w.order("Queen St", "ORD-1001", 100000, planA) // fee 6000
		at("2027-01-04T15:00:00-05:00")
		r1 := w.refund(c1, 25000)                            // fee refund 1500
		at("2027-01-04T21:30:00-08:00")                      // 00:30 on the 5th in Toronto, the 4th in Vancouver
		c2 := w.order("Kitsilano", "ORD-1002", 45999, planB) // fee 1635
		at("2027-01-05T06:00:00-05:00")
		w.cut()
		at("2027-01-05T12:00:00-08:00")
		w.refund(c2, 45999) // the whole of it: the day nets negative and carries forward
		at("2027-01-06T09:00:00-05:00")
		w.cut()
		at("2027-01-06T12:00:00-05:00")
		c3 := w.order("Queen St", "ORD-1003", 80000, planA) // fee 4800
		at("2027-01-07T04:00:00-05:00")
		w.cut()

		got := w.closed()
		if len(got) != 3 || got[1].Status != openflex.SettlementCarriedForward || got[2].CarriedIn != -44364 {
			t.Fatalf("settlements: %+v", got)
		}
		queen, kits := w.store["Queen St"], w.store["Kitsilano"]
		for _, tc := range []struct {
			st   *openflex.Settlement
			rows [][]string // kind … net_cad, then store_id, line_id, authorization_id, capture_id, return_id
			sum  int64
		}{
			{got[0], [][]string{
				{"capture", "ORD-1001", "Queen St", "2027-01-04", "10:00:00", "America/Toronto", "1000.00", "-60.00", "940.00", queen, c1.AuthorizationID, c1.ID, "", "2027-01-04T15:00:00Z"},
				{"return", "ORD-1001", "Queen St", "2027-01-04", "15:00:00", "America/Toronto", "-250.00", "15.00", "-235.00", queen, c1.AuthorizationID, c1.ID, r1.ID, "2027-01-04T20:00:00Z"},
				{"capture", "ORD-1002", "Kitsilano", "2027-01-04", "21:30:00", "America/Vancouver", "459.99", "-16.35", "443.64", kits, c2.AuthorizationID, c2.ID, "", "2027-01-05T05:30:00Z"},
			}, 114864},
			{got[2], [][]string{
				{"capture", "ORD-1003", "Queen St", "2027-01-06", "12:00:00", "America/Toronto", "800.00", "-48.00", "752.00", queen, c3.AuthorizationID, c3.ID, "", "2027-01-06T17:00:00Z"},
				{"carried_in", "", "", "", "", "", "-443.64", "0.00", "-443.64", "", "", "", "", ""},
			}, 30836},
		} {
			var b strings.Builder
			lines, err := w.settle.AllLines(w.ctx, w.merchant, tc.st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.settle.WriteCSV(w.ctx, &b, tc.st, lines); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != strings.Join(settlement.CSVHeader, ",") || len(rows) != len(tc.rows)+1 {
				t.Fatalf("%s: CSV =\n%s", tc.st.BusinessDate, b.String())
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			for i, want := range tc.rows {
				row := rows[i+1]
				got := []string{row[col["kind"]], row[col["order_reference"]], row[col["store_name"]], row[col["local_date"]], row[col["local_time"]],
					row[col["time_zone"]], row[col["amount_cad"]], row[col["fee_cad"]], row[col["net_cad"]], row[col["store_id"]],
					row[col["authorization_id"]], row[col["capture_id"]], row[col["return_id"]], row[col["created_utc"]]}
				if strings.Join(got, "|") != strings.Join(want, "|") || row[col["settlement_id"]] != tc.st.ID || row[col["business_date"]] != tc.st.BusinessDate {
					t.Errorf("%s row %d =\n %q\nwant\n %q", tc.st.BusinessDate, i+1, got, want)
				}
			}
			if sum := sumDollars(t, rows[1:], col["net_cad"]); sum != tc.sum || sum != tc.st.Amount() {
				t.Errorf("%s: net_cad sums to %d cents, want %d (the settlement's amount %d)", tc.st.BusinessDate, sum, tc.sum, tc.st.Amount())
			}
		}
	})
}

// sumDollars adds a column of "-1234.56" figures in cents.
func sumDollars(t *testing.T, rows [][]string, col int) int64 {
	var sum int64
	for _, r := range rows {
		v := r[col]
		neg := strings.HasPrefix(v, "-")
		v = strings.TrimPrefix(v, "-")
		whole, frac, ok := strings.Cut(v, ".")
		if !ok || len(frac) != 2 {
			t.Fatalf("amount %q is not dollars and cents", r[col])
		}
		var c int64
		for _, d := range whole + frac {
			c = c*10 + int64(d-'0')
		}
		if neg {
			c = -c
		}
		sum += c
	}
	return sum
}
