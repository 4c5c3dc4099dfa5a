package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/lending"
)

// AdjustBalances changes an account's held and posted balances by the
// deltas, refusing (insufficient_credit) any change that would take
// available credit below zero (a new draw also counts the interest and
// fees owed). The condition sits in the UPDATE itself, so
// no interleaving of transactions can overspend, and the table's CHECK
// backs it up.
func (db *DB) AdjustBalances(ctx context.Context, number string, dHeld, dPosted int64) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE accounts SET held = held + $2, posted_balance = posted_balance + $3
			WHERE account_number = $1 AND held + $2 >= 0 AND credit_limit - (posted_balance + $3) - (held + $2) >= 0
			AND ($2 + $3 <= 0 OR credit_limit - (posted_balance + $3) - (held + $2) - charges >= 0)`,
			number, dHeld, dPosted)
		if err != nil {
			return fmt.Errorf("adjust balances: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return openflex.Errorf(openflex.CodeInsufficientCred, "the account's available credit does not cover this amount")
		}
		return nil
	})
}

// SetAccountStatus changes an account's standing.
func (db *DB) SetAccountStatus(ctx context.Context, number string, status openflex.AccountStatus) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE accounts SET status = $2 WHERE account_number = $1`, number, string(status))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return openflex.NotFound("account", number)
		}
		return nil
	})
}

const authCols = `id, merchant_id, store_id, account_number, amount, currency, captured_amount, released_amount, returned_amount, status,
	channel, reference, plan_id, term_months, disclosure, verification_id, employee_id, register_id, items, tax_gst_hst, tax_pst,
	metadata, expires_at, created, merchant_fee_bps, merchant_fee_fixed, merchant_fee_no_refund`

type itemJSON struct {
	SKU         string `json:"sku"`
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitPrice   int64  `json:"unit_price"`
}

func scanAuth(sc interface{ Scan(...any) error }) (*openflex.Authorization, error) {
	var a openflex.Authorization
	var cur, status, planID, disclosure, items, meta string
	var term, noRefund int
	var exp, created int64
	var fee openflex.MerchantFee
	err := sc.Scan(&a.ID, &a.MerchantID, &a.StoreID, &a.AccountNumber, &a.Amount, &cur, &a.CapturedAmount, &a.ReleasedAmount,
		&a.ReturnedAmount, &status, &a.Channel, &a.Reference, &planID, &term, &disclosure, &a.VerificationID, &a.EmployeeID,
		&a.RegisterID, &items, &a.TaxGSTHST, &a.TaxPST, &meta, &exp, &created, &fee.Bps, &fee.Fixed, &noRefund)
	if err != nil {
		return nil, err
	}
	a.Currency, a.Status, a.ExpiresAt, a.Created = openflex.Currency(cur), openflex.AuthorizationStatus(status), fromMicros(exp), fromMicros(created)
	if planID != "" {
		fee.NoRefund = noRefund == 1
		a.Financing = &openflex.Financing{PlanID: planID, TermMonths: term, Disclosure: disclosure, MerchantFee: fee}
	}
	var its []itemJSON
	if err := json.Unmarshal([]byte(items), &its); err != nil {
		return nil, fmt.Errorf("decode items: %w", err)
	}
	for _, it := range its {
		a.Items = append(a.Items, openflex.LineItem(it))
	}
	if err := json.Unmarshal([]byte(meta), &a.Metadata); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return &a, nil
}

// CreateAuthorization inserts a.
func (db *DB) CreateAuthorization(ctx context.Context, a *openflex.Authorization) error {
	its := make([]itemJSON, 0, len(a.Items))
	for _, it := range a.Items {
		its = append(its, itemJSON(it))
	}
	items, _ := json.Marshal(its)
	meta := a.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	metaJSON, _ := json.Marshal(meta)
	var planID, disclosure string
	var term int
	var fee openflex.MerchantFee
	if f := a.Financing; f != nil {
		planID, term, disclosure, fee = f.PlanID, f.TermMonths, f.Disclosure, f.MerchantFee
	}
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert authorization", `INSERT INTO authorizations (`+authCols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)`,
			a.ID, a.MerchantID, a.StoreID, a.AccountNumber, a.Amount, string(a.Currency), a.CapturedAmount, a.ReleasedAmount,
			a.ReturnedAmount, string(a.Status), a.Channel, a.Reference, planID, term, disclosure, a.VerificationID, a.EmployeeID,
			a.RegisterID, string(items), a.TaxGSTHST, a.TaxPST, string(metaJSON), micros(a.ExpiresAt), micros(a.Created),
			fee.Bps, fee.Fixed, boolInt(fee.NoRefund))
	})
}

// Authorization returns merchantID's authorization id; inside a write
// transaction the row is locked (PostgreSQL) so its state changes once.
func (db *DB) Authorization(ctx context.Context, merchantID, id string) (*openflex.Authorization, error) {
	lock := ""
	if db.InTx(ctx) {
		lock = db.forUpdate()
	}
	a, err := scanAuth(db.q(ctx).QueryRowContext(ctx, `SELECT `+authCols+` FROM authorizations WHERE id = $1 AND merchant_id = $2`+lock, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("authorization", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read authorization: %w", err)
	}
	return a, nil
}

// UpdateAuthorization saves an authorization's amounts and status.
func (db *DB) UpdateAuthorization(ctx context.Context, a *openflex.Authorization) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "update authorization", `UPDATE authorizations SET captured_amount = $2, released_amount = $3, returned_amount = $4, status = $5
			WHERE id = $1`, a.ID, a.CapturedAmount, a.ReleasedAmount, a.ReturnedAmount, string(a.Status))
	})
}

// Authorizations lists merchantID's authorizations, newest first.
func (db *DB) Authorizations(ctx context.Context, merchantID string, f lending.AuthorizationFilter, p openflex.ListParams) ([]*openflex.Authorization, bool, error) {
	l := newList(`SELECT `+authCols+` FROM authorizations WHERE merchant_id = $1`, merchantID)
	if f.StoreID != "" {
		l.where("store_id = ?", f.StoreID)
	}
	if f.AccountNumber != "" {
		l.where("account_number = ?", f.AccountNumber)
	}
	if f.Status != "" {
		l.where("status = ?", f.Status)
	}
	if f.Reference != "" {
		l.where("reference = ?", f.Reference)
	}
	return listRows(ctx, db, l, p, scanAuth)
}

// OpenAuthorizationsExpiring returns open authorizations of any merchant
// whose expiry is at or before t, oldest first.
func (db *DB) OpenAuthorizationsExpiring(ctx context.Context, t time.Time, limit int) ([]*openflex.Authorization, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+authCols+` FROM authorizations
		WHERE status IN ('pending', 'partially_captured') AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2`, micros(t), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*openflex.Authorization
	for rows.Next() {
		a, err := scanAuth(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func listRows[T any](ctx context.Context, db *DB, l *listQuery, p openflex.ListParams, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, bool, error) {
	query, args := l.page(p)
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	out, more := trim(l, out)
	return out, more, nil
}

const captureCols = `id, merchant_id, authorization_id, store_id, account_number, amount, returned_amount, reference, created, fee`

func scanCapture(sc interface{ Scan(...any) error }) (*openflex.Capture, error) {
	var c openflex.Capture
	var created int64
	if err := sc.Scan(&c.ID, &c.MerchantID, &c.AuthorizationID, &c.StoreID, &c.AccountNumber, &c.Amount, &c.ReturnedAmount, &c.Reference, &created, &c.Fee); err != nil {
		return nil, err
	}
	c.Created = fromMicros(created)
	return &c, nil
}

// CreateCapture inserts c.
func (db *DB) CreateCapture(ctx context.Context, c *openflex.Capture) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert capture", `INSERT INTO captures (`+captureCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			c.ID, c.MerchantID, c.AuthorizationID, c.StoreID, c.AccountNumber, c.Amount, c.ReturnedAmount, c.Reference, micros(c.Created), c.Fee)
	})
}

// Capture returns merchantID's capture id (locked inside a write transaction).
func (db *DB) Capture(ctx context.Context, merchantID, id string) (*openflex.Capture, error) {
	lock := ""
	if db.InTx(ctx) {
		lock = db.forUpdate()
	}
	c, err := scanCapture(db.q(ctx).QueryRowContext(ctx, `SELECT `+captureCols+` FROM captures WHERE id = $1 AND merchant_id = $2`+lock, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("capture", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read capture: %w", err)
	}
	return c, nil
}

// CapturesOf returns an authorization's captures, oldest first.
func (db *DB) CapturesOf(ctx context.Context, authorizationID string) ([]*openflex.Capture, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+captureCols+` FROM captures WHERE authorization_id = $1 ORDER BY id`, authorizationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*openflex.Capture
	for rows.Next() {
		c, err := scanCapture(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Captures lists merchantID's captures, newest first.
func (db *DB) Captures(ctx context.Context, merchantID, authorizationID string, p openflex.ListParams) ([]*openflex.Capture, bool, error) {
	l := newList(`SELECT `+captureCols+` FROM captures WHERE merchant_id = $1`, merchantID)
	if authorizationID != "" {
		l.where("authorization_id = ?", authorizationID)
	}
	return listRows(ctx, db, l, p, scanCapture)
}

// AddCaptureReturned adds amount to a capture's returned amount.
func (db *DB) AddCaptureReturned(ctx context.Context, id string, amount int64) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE captures SET returned_amount = returned_amount + $2 WHERE id = $1 AND returned_amount + $2 <= amount`, id, amount)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return openflex.Errorf(openflex.CodeReturnExceeds, "the return exceeds what remains of the capture")
		}
		return nil
	})
}

const returnCols = `id, merchant_id, capture_id, authorization_id, store_id, account_number, amount, reference, reason, created, fee_refund`

func scanReturn(sc interface{ Scan(...any) error }) (*openflex.Return, error) {
	var r openflex.Return
	var created int64
	if err := sc.Scan(&r.ID, &r.MerchantID, &r.CaptureID, &r.AuthorizationID, &r.StoreID, &r.AccountNumber, &r.Amount, &r.Reference, &r.Reason, &created, &r.FeeRefund); err != nil {
		return nil, err
	}
	r.Created = fromMicros(created)
	return &r, nil
}

// CreateReturn inserts r.
func (db *DB) CreateReturn(ctx context.Context, r *openflex.Return) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert return", `INSERT INTO returns (`+returnCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.ID, r.MerchantID, r.CaptureID, r.AuthorizationID, r.StoreID, r.AccountNumber, r.Amount, r.Reference, r.Reason, micros(r.Created), r.FeeRefund)
	})
}

// Return returns merchantID's return id.
func (db *DB) Return(ctx context.Context, merchantID, id string) (*openflex.Return, error) {
	r, err := scanReturn(db.q(ctx).QueryRowContext(ctx, `SELECT `+returnCols+` FROM returns WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("return", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read return: %w", err)
	}
	return r, nil
}

// Returns lists merchantID's returns, newest first.
func (db *DB) Returns(ctx context.Context, merchantID, captureID string, p openflex.ListParams) ([]*openflex.Return, bool, error) {
	l := newList(`SELECT `+returnCols+` FROM returns WHERE merchant_id = $1`, merchantID)
	if captureID != "" {
		l.where("capture_id = ?", captureID)
	}
	return listRows(ctx, db, l, p, scanReturn)
}

// PostTransaction records a money movement and its entries. The entries
// must balance; an unbalanced posting is a programming error and fails.
func (db *DB) PostTransaction(ctx context.Context, t *openflex.Transaction, entries []openflex.Entry) error {
	var dr, cr int64
	for _, e := range entries {
		dr += e.Debit
		cr += e.Credit
	}
	if dr != cr || dr == 0 {
		return fmt.Errorf("unbalanced posting for %s: debits %d, credits %d", t.ID, dr, cr)
	}
	return db.Write(ctx, func(ctx context.Context) error {
		err := db.execLater(ctx, "insert transaction", `INSERT INTO transactions (id, merchant_id, store_id, account_number, type, amount, authorization_id,
			capture_id, return_id, reference, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			t.ID, t.MerchantID, t.StoreID, t.AccountNumber, string(t.Type), t.Amount, t.AuthorizationID, t.CaptureID, t.ReturnID, t.Reference, micros(t.Created))
		if err != nil {
			return err
		}
		// All entries in one statement: a capture's six entries cost one
		// round trip, not six.
		var q strings.Builder
		q.WriteString(`INSERT INTO ledger_entries (transaction_id, seq, ledger, debit, credit) VALUES `)
		args := make([]any, 0, 5*len(entries))
		for i, e := range entries {
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
			args = append(args, t.ID, i, e.Ledger, e.Debit, e.Credit)
		}
		return db.execLater(ctx, "insert ledger entries", q.String(), args...)
	})
}

const txnCols = `id, merchant_id, store_id, account_number, type, amount, authorization_id, capture_id, return_id, reference, created`

func scanTxn(sc interface{ Scan(...any) error }) (*openflex.Transaction, error) {
	var t openflex.Transaction
	var typ string
	var created int64
	if err := sc.Scan(&t.ID, &t.MerchantID, &t.StoreID, &t.AccountNumber, &typ, &t.Amount, &t.AuthorizationID, &t.CaptureID, &t.ReturnID, &t.Reference, &created); err != nil {
		return nil, err
	}
	t.Type, t.Created = openflex.TransactionType(typ), fromMicros(created)
	return &t, nil
}

// Transactions lists merchantID's money movements, newest first.
func (db *DB) Transactions(ctx context.Context, merchantID string, f lending.TransactionFilter, p openflex.ListParams) ([]*openflex.Transaction, bool, error) {
	l := newList(`SELECT `+txnCols+` FROM transactions WHERE merchant_id = $1`, merchantID)
	if f.StoreID != "" {
		l.where("store_id = ?", f.StoreID)
	}
	if f.AccountNumber != "" {
		l.where("account_number = ?", f.AccountNumber)
	}
	if f.Type != "" {
		l.where("type = ?", f.Type)
	}
	return listRows(ctx, db, l, p, scanTxn)
}

// StoreTotals sums a store's movements by type in [from, to).
func (db *DB) StoreTotals(ctx context.Context, merchantID, storeID string, from, to time.Time) ([]lending.TypeTotal, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT type, COUNT(*), COALESCE(SUM(amount), 0) FROM transactions
		WHERE merchant_id = $1 AND store_id = $2 AND created >= $3 AND created < $4 GROUP BY type ORDER BY type`,
		merchantID, storeID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("store totals: %w", err)
	}
	defer rows.Close()
	var out []lending.TypeTotal
	for rows.Next() {
		var t lending.TypeTotal
		var typ string
		if err := rows.Scan(&typ, &t.Count, &t.Amount); err != nil {
			return nil, err
		}
		t.Type = openflex.TransactionType(typ)
		out = append(out, t)
	}
	return out, rows.Err()
}

// AppendEvent writes an event to the outbox, in the caller's transaction.
func (db *DB) AppendEvent(ctx context.Context, e *openflex.Event) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert event", `INSERT INTO events (id, merchant_id, type, object, created) VALUES ($1, $2, $3, $4, $5)`,
			e.ID, e.MerchantID, e.Type, string(e.Object), micros(e.Created))
	})
}

// Events lists merchantID's events, newest first, optionally of one type.
func (db *DB) Events(ctx context.Context, merchantID, typ string, p openflex.ListParams) ([]*openflex.Event, bool, error) {
	l := newList(`SELECT id, merchant_id, type, object, created FROM events WHERE merchant_id = $1`, merchantID)
	if typ != "" {
		l.where("type = ?", typ)
	}
	return listRows(ctx, db, l, p, func(sc interface{ Scan(...any) error }) (*openflex.Event, error) {
		var e openflex.Event
		var obj string
		var created int64
		if err := sc.Scan(&e.ID, &e.MerchantID, &e.Type, &obj, &created); err != nil {
			return nil, err
		}
		e.Object, e.Created = []byte(obj), fromMicros(created)
		return &e, nil
	})
}

// LedgerMismatch is one disagreement found by Verify.
type LedgerMismatch struct {
	What     string
	Expected int64
	Found    int64
}

// VerifyLedger recomputes every account's balances from the ledger and
// checks that every transaction balances.
func (db *DB) VerifyLedger(ctx context.Context) ([]LedgerMismatch, error) {
	var out []LedgerMismatch
	rows, err := db.r.QueryContext(ctx, `SELECT transaction_id, SUM(debit), SUM(credit) FROM ledger_entries GROUP BY transaction_id HAVING SUM(debit) <> SUM(credit)`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var dr, cr int64
		if err := rows.Scan(&id, &dr, &cr); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, LedgerMismatch{What: "transaction " + id + " does not balance", Expected: dr, Found: cr})
	}
	rows.Close()
	rows, err = db.r.QueryContext(ctx, `SELECT a.account_number, a.held, a.posted_balance, a.charges,
		COALESCE((SELECT SUM(debit) - SUM(credit) FROM ledger_entries WHERE ledger = 'acct:' || a.account_number || ':held'), 0),
		COALESCE((SELECT SUM(debit) - SUM(credit) FROM ledger_entries WHERE ledger = 'acct:' || a.account_number || ':posted'), 0),
		COALESCE((SELECT SUM(debit) - SUM(credit) FROM ledger_entries WHERE ledger = 'acct:' || a.account_number || ':charges'), 0),
		COALESCE((SELECT SUM(debit) - SUM(credit) FROM ledger_entries WHERE ledger = 'acct:' || a.account_number || ':available'), 0)
		FROM accounts a ORDER BY a.account_number`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var held, posted, charges, lHeld, lPosted, lCharges, lAvail int64
		if err := rows.Scan(&n, &held, &posted, &charges, &lHeld, &lPosted, &lCharges, &lAvail); err != nil {
			return nil, err
		}
		if held != lHeld {
			out = append(out, LedgerMismatch{What: "account " + n + " held", Expected: lHeld, Found: held})
		}
		if posted != lPosted {
			out = append(out, LedgerMismatch{What: "account " + n + " posted balance", Expected: lPosted, Found: posted})
		}
		if charges != lCharges {
			out = append(out, LedgerMismatch{What: "account " + n + " charges", Expected: lCharges, Found: charges})
		}
		if lAvail != -(held + posted + charges) {
			out = append(out, LedgerMismatch{What: "account " + n + " available-credit ledger", Expected: -(held + posted + charges), Found: lAvail})
		}
	}
	return out, rows.Err()
}
