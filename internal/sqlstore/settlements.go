package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
	"github.com/openflex/openflex/internal/settlement"
)

var _ settlement.Store = (*DB)(nil)

const lineCols = `id, merchant_id, store_id, type, amount, fee, authorization_id, capture_id, return_id, settlement_id, created`

// lineReadCols are lineCols and the authorization's reference: read, not
// stored, so the purchase path writes nothing more and old lines have it too.
const lineReadCols = lineCols + `, COALESCE((SELECT a.reference FROM authorizations a WHERE a.id = settlement_lines.authorization_id), '')`

func scanLine(sc interface{ Scan(...any) error }) (*openflex.SettlementLine, error) {
	var l openflex.SettlementLine
	var typ string
	var created int64
	if err := sc.Scan(&l.ID, &l.MerchantID, &l.StoreID, &typ, &l.Amount, &l.Fee, &l.AuthorizationID, &l.CaptureID, &l.ReturnID,
		&l.SettlementID, &created); err != nil {
		return nil, err
	}
	l.Type, l.Created = openflex.TransactionType(typ), fromMicros(created)
	return &l, nil
}

// scanLineRead scans lineReadCols.
func scanLineRead(sc interface{ Scan(...any) error }) (*openflex.SettlementLine, error) {
	var l openflex.SettlementLine
	var typ string
	var created int64
	if err := sc.Scan(&l.ID, &l.MerchantID, &l.StoreID, &typ, &l.Amount, &l.Fee, &l.AuthorizationID, &l.CaptureID, &l.ReturnID,
		&l.SettlementID, &created, &l.Reference); err != nil {
		return nil, err
	}
	l.Type, l.Created = openflex.TransactionType(typ), fromMicros(created)
	return &l, nil
}

// AddSettlementLine inserts a capture's or return's line: an insert only,
// so concurrent purchases of one merchant never wait on each other here.
func (db *DB) AddSettlementLine(ctx context.Context, l *openflex.SettlementLine) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert settlement line", `INSERT INTO settlement_lines (`+lineCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			l.ID, l.MerchantID, l.StoreID, string(l.Type), l.Amount, l.Fee, l.AuthorizationID, l.CaptureID, l.ReturnID, l.SettlementID, micros(l.Created))
	})
}

// MerchantsUnsettled lists the merchants with unsettled lines.
func (db *DB) MerchantsUnsettled(ctx context.Context) ([]string, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT DISTINCT merchant_id FROM settlement_lines WHERE settlement_id = '' ORDER BY merchant_id`)
	if err != nil {
		return nil, fmt.Errorf("merchants unsettled: %w", err)
	}
	return column(rows)
}

// UnsettledFirst returns, per store, the creation time of merchantID's
// oldest unsettled line.
func (db *DB) UnsettledFirst(ctx context.Context, merchantID string) (map[string]time.Time, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT store_id, MIN(created) FROM settlement_lines WHERE merchant_id = $1 AND settlement_id = ''
		GROUP BY store_id`, merchantID)
	if err != nil {
		return nil, fmt.Errorf("unsettled first: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var st string
		var first int64
		if err := rows.Scan(&st, &first); err != nil {
			return nil, err
		}
		out[st] = fromMicros(first)
	}
	return out, rows.Err()
}

// UnsettledLines returns merchantID's unsettled lines, oldest first.
func (db *DB) UnsettledLines(ctx context.Context, merchantID string) ([]*openflex.SettlementLine, error) {
	return db.lines(ctx, scanLineRead, `SELECT `+lineReadCols+` FROM settlement_lines WHERE merchant_id = $1 AND settlement_id = '' ORDER BY id`, merchantID)
}

func (db *DB) lines(ctx context.Context, scan func(interface{ Scan(...any) error }) (*openflex.SettlementLine, error), query string, args ...any) ([]*openflex.SettlementLine, error) {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("settlement lines: %w", err)
	}
	defer rows.Close()
	var out []*openflex.SettlementLine
	for rows.Next() {
		l, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SettleLines stamps settlementID on storeID's unsettled lines created
// before before and returns them. One statement, so the lines stamped are
// exactly the lines returned, whatever commits concurrently.
func (db *DB) SettleLines(ctx context.Context, settlementID, merchantID, storeID string, before time.Time) ([]*openflex.SettlementLine, error) {
	var out []*openflex.SettlementLine
	err := db.Write(ctx, func(ctx context.Context) error {
		var err error
		out, err = db.lines(ctx, scanLine, `UPDATE settlement_lines SET settlement_id = $1
			WHERE merchant_id = $2 AND store_id = $3 AND settlement_id = '' AND created < $4 RETURNING `+lineCols,
			settlementID, merchantID, storeID, micros(before))
		return err
	})
	return out, err
}

type storeTotalsJSON struct {
	StoreID    string `json:"store_id"`
	Gross      int64  `json:"gross"`
	Returns    int64  `json:"returns"`
	Fees       int64  `json:"fees"`
	FeeRefunds int64  `json:"fee_refunds"`
	Payments   int64  `json:"payments,omitempty"`
	Lines      int64  `json:"lines"`
}

const settlementCols = `id, merchant_id, business_date, status, gross, returns, fees, fee_refunds, lines, carried_in, stores,
	closed_at, paid_at, payout_id, created, payments`

func scanSettlement(sc interface{ Scan(...any) error }) (*openflex.Settlement, error) {
	var s openflex.Settlement
	var status, stores string
	var closed, paid, created int64
	if err := sc.Scan(&s.ID, &s.MerchantID, &s.BusinessDate, &status, &s.Gross, &s.Returns, &s.Fees, &s.FeeRefunds, &s.Lines,
		&s.CarriedIn, &stores, &closed, &paid, &s.PayoutID, &created, &s.Payments); err != nil {
		return nil, err
	}
	s.Status, s.ClosedAt, s.PaidAt, s.Created = openflex.SettlementStatus(status), fromMicros(closed), fromMicros(paid), fromMicros(created)
	var st []storeTotalsJSON
	if err := json.Unmarshal([]byte(stores), &st); err != nil {
		return nil, fmt.Errorf("decode settlement stores: %w", err)
	}
	for _, x := range st {
		s.Stores = append(s.Stores, openflex.StoreTotals{StoreID: x.StoreID, SettlementTotals: openflex.SettlementTotals{
			Gross: x.Gross, Returns: x.Returns, Fees: x.Fees, FeeRefunds: x.FeeRefunds, Payments: x.Payments, Lines: x.Lines}})
	}
	return &s, nil
}

// CreateSettlement inserts a closed settlement; a second one for the same
// merchant and day (another node's cut) is ErrDuplicate.
func (db *DB) CreateSettlement(ctx context.Context, s *openflex.Settlement) error {
	st := make([]storeTotalsJSON, 0, len(s.Stores))
	for _, x := range s.Stores {
		st = append(st, storeTotalsJSON{StoreID: x.StoreID, Gross: x.Gross, Returns: x.Returns, Fees: x.Fees, FeeRefunds: x.FeeRefunds,
			Payments: x.Payments, Lines: x.Lines})
	}
	sj, _ := json.Marshal(st)
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO settlements (`+settlementCols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			s.ID, s.MerchantID, s.BusinessDate, string(s.Status), s.Gross, s.Returns, s.Fees, s.FeeRefunds, s.Lines, s.CarriedIn,
			string(sj), micros(s.ClosedAt), micros(s.PaidAt), s.PayoutID, micros(s.Created), s.Payments)
		if isUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("insert settlement: %w", err)
		}
		return nil
	})
}

// LastSettlement returns merchantID's latest closed settlement
// (resource_missing when it has none).
func (db *DB) LastSettlement(ctx context.Context, merchantID string) (*openflex.Settlement, error) {
	s, err := scanSettlement(db.q(ctx).QueryRowContext(ctx, `SELECT `+settlementCols+` FROM settlements WHERE merchant_id = $1
		ORDER BY business_date DESC LIMIT 1`, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("settlement", "")
	}
	if err != nil {
		return nil, fmt.Errorf("last settlement: %w", err)
	}
	return s, nil
}

// Settlement returns merchantID's closed settlement id.
func (db *DB) Settlement(ctx context.Context, merchantID, id string) (*openflex.Settlement, error) {
	s, err := scanSettlement(db.q(ctx).QueryRowContext(ctx, `SELECT `+settlementCols+` FROM settlements WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("settlement", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read settlement: %w", err)
	}
	return s, nil
}

// Settlements lists merchantID's closed settlements, newest first.
func (db *DB) Settlements(ctx context.Context, merchantID string, f settlement.Filter, p openflex.ListParams) ([]*openflex.Settlement, bool, error) {
	l := newList(`SELECT `+settlementCols+` FROM settlements WHERE merchant_id = $1`, merchantID)
	l.openCursor = true // the service judges it: the cursor may be an open day's id
	if f.Status != "" {
		l.where("status = ?", string(f.Status))
	}
	if f.From != "" {
		l.where("business_date >= ?", f.From)
	}
	if f.To != "" {
		l.where("business_date <= ?", f.To)
	}
	if f.StoreID != "" {
		l.where("id IN (SELECT settlement_id FROM settlement_lines WHERE merchant_id = $1 AND store_id = ?)", f.StoreID)
	}
	return listRows(ctx, db, l, p, scanSettlement)
}

// SettlementsDue returns the pending settlements of every merchant whose
// business date is date (all dates when date is ""), closed at or before
// closedBy (any time when zero), oldest first.
func (db *DB) SettlementsDue(ctx context.Context, date string, closedBy time.Time) ([]*openflex.Settlement, error) {
	q := `SELECT ` + settlementCols + ` FROM settlements WHERE status = 'pending'`
	var args []any
	if date != "" {
		args = append(args, date)
		q += fmt.Sprintf(" AND business_date = $%d", len(args))
	}
	if !closedBy.IsZero() {
		args = append(args, micros(closedBy))
		q += fmt.Sprintf(" AND closed_at <= $%d", len(args))
	}
	rows, err := db.q(ctx).QueryContext(ctx, q+` ORDER BY business_date, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("settlements due: %w", err)
	}
	defer rows.Close()
	var out []*openflex.Settlement
	for rows.Next() {
		s, err := scanSettlement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SettlementLines lists a closed settlement's lines, newest first.
func (db *DB) SettlementLines(ctx context.Context, merchantID, settlementID string, p openflex.ListParams) ([]*openflex.SettlementLine, bool, error) {
	l := newList(`SELECT `+lineReadCols+` FROM settlement_lines WHERE settlement_id = $1 AND settlement_id <> '' AND merchant_id = $2`,
		settlementID, merchantID)
	return listRows(ctx, db, l, p, scanLineRead)
}

// MarkSettlementPaid marks a pending settlement paid; one that is not
// pending (paid by another call meanwhile) is settlement.ErrNotPending.
func (db *DB) MarkSettlementPaid(ctx context.Context, id, payoutID string, at time.Time) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE settlements SET status = 'paid', paid_at = $2, payout_id = $3 WHERE id = $1 AND status = 'pending'`,
			id, micros(at), payoutID)
		if err != nil {
			return fmt.Errorf("mark settlement paid: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return settlement.ErrNotPending
		}
		return nil
	})
}

// PayableMismatch is a merchant whose payable ledger disagrees with its
// settlement lines and settlements.
type PayableMismatch struct {
	MerchantID string
	Ledger     int64 // the payable from its entries
	Lines      int64 // unsettled lines + unpaid settlements + carry outstanding
}

// VerifyPayables checks, for every merchant, that the payable ledger (sum
// of its entries) equals its unsettled lines plus its unpaid settlements
// plus a negative amount still carried forward.
func (db *DB) VerifyPayables(ctx context.Context) ([]PayableMismatch, error) {
	ledger := map[string]int64{}
	rows, err := db.r.QueryContext(ctx, `SELECT ledger, SUM(credit) - SUM(debit) FROM ledger_entries WHERE ledger LIKE 'merch:%:payable' GROUP BY ledger`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name string
		var bal int64
		if err := rows.Scan(&name, &bal); err != nil {
			rows.Close()
			return nil, err
		}
		ledger[name] = bal
	}
	rows.Close()
	expect := map[string]int64{}
	queries := []string{
		`SELECT merchant_id, SUM(CASE WHEN type = 'capture' THEN amount - fee ELSE fee - amount END) FROM settlement_lines
			WHERE settlement_id = '' GROUP BY merchant_id`,
		`SELECT merchant_id, SUM(gross - returns - fees + fee_refunds - payments + carried_in) FROM settlements WHERE status = 'pending' GROUP BY merchant_id`,
		// The latest settlement, when it carried forward, is owed back
		// against the next one.
		`SELECT s.merchant_id, s.gross - s.returns - s.fees + s.fee_refunds - s.payments + s.carried_in FROM settlements s
			WHERE s.status = 'carried_forward' AND s.business_date = (SELECT MAX(business_date) FROM settlements WHERE merchant_id = s.merchant_id)`,
	}
	for _, q := range queries {
		rows, err := db.r.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m string
			var v int64
			if err := rows.Scan(&m, &v); err != nil {
				rows.Close()
				return nil, err
			}
			expect[lending.PayableLedger(m)] += v
		}
		rows.Close()
	}
	var out []PayableMismatch
	for _, name := range slices.Sorted(maps.Keys(union(ledger, expect))) {
		if ledger[name] != expect[name] {
			m := name[len("merch:") : len(name)-len(":payable")]
			out = append(out, PayableMismatch{MerchantID: m, Ledger: ledger[name], Lines: expect[name]})
		}
	}
	return out, nil
}

func union(a, b map[string]int64) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Payable is merchantID's payable from its ledger entries: what the lender
// owes it.
func (db *DB) Payable(ctx context.Context, merchantID string) (int64, error) {
	var v int64
	err := db.q(ctx).QueryRowContext(ctx, `SELECT COALESCE(SUM(credit) - SUM(debit), 0) FROM ledger_entries WHERE ledger = $1`,
		lending.PayableLedger(merchantID)).Scan(&v)
	return v, err
}
