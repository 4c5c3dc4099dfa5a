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
	"github.com/openflex/openflex/internal/servicing/engine"
)

var _ engine.Store = (*DB)(nil)

// openServicing gives a new account its servicing row: the statement day
// is the month's last day, its days are counted in its province's zone
// from the day it opened.
func (db *DB) openServicing(ctx context.Context, a *openflex.Account) error {
	zone := a.Province.TimeZone()
	if zone == "" {
		zone = "America/Toronto"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return fmt.Errorf("account zone: %w", err)
	}
	day := a.Created.In(loc).Format(time.DateOnly)
	return db.execLater(ctx, "insert account servicing", `INSERT INTO account_servicing (account_number, statement_day, time_zone, opened_on, next_day)
		VALUES ($1, 0, $2, $3, $3)`, a.Number, zone, day)
}

// AdjustOwed changes an account's posted balance and charges, with no
// credit check: a charge or a reversal posts even over the limit. The
// caller has read (and locked) the account.
func (db *DB) AdjustOwed(ctx context.Context, number string, dPosted, dCharges int64) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "adjust owed", `UPDATE accounts SET posted_balance = posted_balance + $2, charges = charges + $3 WHERE account_number = $1`,
			number, dPosted, dCharges)
	})
}

// HasHistory reports whether any money moved on the account.
func (db *DB) HasHistory(ctx context.Context, number string) (bool, error) {
	var one int
	err := db.q(ctx).QueryRowContext(ctx, `SELECT 1 FROM transactions WHERE account_number = $1 LIMIT 1`, number).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// AddStatusChange records a move of an account's standing.
func (db *DB) AddStatusChange(ctx context.Context, c *engine.StatusChange) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert status change", `INSERT INTO account_status_changes (id, account_number, from_status, to_status, actor, reason, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.AccountNumber, string(c.From), string(c.To), c.Actor, c.Reason, micros(c.Created))
	})
}

const servicingCols = `account_number, statement_day, time_zone, test_clock_id, opened_on, next_day, state`

// loadAccountQuery reads an account, its servicing row and its test clock
// in one statement: the engine's one read per operation.
var loadAccountQuery = func() string {
	var cols []string
	for _, c := range strings.Split(accountCols, ",") {
		cols = append(cols, "a."+strings.TrimSpace(c))
	}
	return `SELECT ` + strings.Join(cols, ", ") + `, s.statement_day, s.time_zone, s.test_clock_id, s.opened_on, s.next_day, s.state,
		COALESCE(c.merchant_id, ''), COALESCE(c.name, ''), COALESCE(c.frozen_time, 0), COALESCE(c.status, ''), COALESCE(c.created, 0)
		FROM accounts a JOIN account_servicing s ON s.account_number = a.account_number LEFT JOIN test_clocks c ON c.id = s.test_clock_id
		WHERE a.account_number = $1`
}()

// LoadAccount reads an account with its servicing row and test clock (nil
// without one), locking the account and the row inside a write
// transaction.
func (db *DB) LoadAccount(ctx context.Context, number string) (*openflex.Account, *engine.Row, *engine.TestClock, error) {
	q := loadAccountQuery
	if db.InTx(ctx) && db.Dialect == Postgres {
		q += " FOR UPDATE OF a, s"
	}
	a, r, c, err := scanLoaded(db.q(ctx).QueryRowContext(ctx, q, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, openflex.NotFound("account", number)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read account servicing: %w", err)
	}
	return a, r, c, nil
}

// LoadAccounts is LoadAccount for several accounts in one statement (one
// round trip for a batch of the daily job), locking them in number order
// inside a write transaction. Accounts not found are left out.
func (db *DB) LoadAccounts(ctx context.Context, numbers []string) (map[string]*engine.Loaded, error) {
	out := make(map[string]*engine.Loaded, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	var q strings.Builder
	q.WriteString(strings.Replace(loadAccountQuery, "a.account_number = $1", "a.account_number IN (", 1))
	args := make([]any, len(numbers))
	for i, n := range numbers {
		if i > 0 {
			q.WriteString(", ")
		}
		if db.Dialect == Postgres {
			fmt.Fprintf(&q, "$%d", i+1)
		} else {
			q.WriteByte('?') // see insertRows
		}
		args[i] = n
	}
	q.WriteString(") ORDER BY a.account_number")
	if db.InTx(ctx) && db.Dialect == Postgres {
		q.WriteString(" FOR UPDATE OF a, s")
	}
	rows, err := db.q(ctx).QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("read accounts servicing: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, r, c, err := scanLoaded(rows)
		if err != nil {
			return nil, fmt.Errorf("read accounts servicing: %w", err)
		}
		out[a.Number] = &engine.Loaded{Account: a, Row: r, Clock: c}
	}
	return out, rows.Err()
}

func scanLoaded(sc interface{ Scan(...any) error }) (*openflex.Account, *engine.Row, *engine.TestClock, error) {
	var r engine.Row
	var state string
	var c engine.TestClock
	var frozen, created int64
	a, err := scanAccount(sc, &r.StatementDay, &r.TimeZone, &r.TestClockID, &r.OpenedOn, &r.NextDay, &state,
		&c.MerchantID, &c.Name, &frozen, &c.Status, &created)
	if err != nil {
		return nil, nil, nil, err
	}
	r.AccountNumber = a.Number
	if state != "" {
		r.State = []byte(state)
	}
	if r.TestClockID == "" {
		return a, &r, nil, nil
	}
	c.ID, c.FrozenTime, c.Created = r.TestClockID, fromMicros(frozen), fromMicros(created)
	a.ClockTime = c.FrozenTime
	return a, &r, &c, nil
}

// Servicing returns the account's servicing row, locked inside a write
// transaction on PostgreSQL.
func (db *DB) Servicing(ctx context.Context, number string) (*engine.Row, error) {
	lock := ""
	if db.InTx(ctx) {
		lock = db.forUpdate()
	}
	var r engine.Row
	var state string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT `+servicingCols+` FROM account_servicing WHERE account_number = $1`+lock, number).
		Scan(&r.AccountNumber, &r.StatementDay, &r.TimeZone, &r.TestClockID, &r.OpenedOn, &r.NextDay, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("account", number)
	}
	if err != nil {
		return nil, fmt.Errorf("read account servicing: %w", err)
	}
	if state != "" {
		r.State = []byte(state)
	}
	return &r, nil
}

// SaveServicing stores r if its next day is still prevNextDay. When the
// next day did not move, the row (locked since it was read) is written
// with the transaction's next statement, at no round trip of its own.
func (db *DB) SaveServicing(ctx context.Context, r *engine.Row, prevNextDay string) error {
	locked := db.InTx(ctx) // the caller's transaction read the row
	return db.Write(ctx, func(ctx context.Context) error {
		if r.NextDay == prevNextDay {
			return db.execLater(ctx, "save account servicing", `UPDATE account_servicing SET statement_day = $2, time_zone = $3, test_clock_id = $4,
				opened_on = $5, state = $6 WHERE account_number = $1`, r.AccountNumber, r.StatementDay, r.TimeZone, r.TestClockID, r.OpenedOn, string(r.State))
		}
		if _, ok := ctx.Value(txKey{db}).(*pgTx); ok && locked {
			// Sent with the transaction's next statement, at no round trip
			// of its own. The row is locked since the caller read it (the
			// engine always reads an account before saving it), so its next
			// day is still prevNextDay; were it not, next_day would be set
			// to NULL, which its NOT NULL refuses, failing the transaction
			// rather than saving over another node's day.
			return db.execLater(ctx, "save account servicing", `UPDATE account_servicing SET statement_day = $2, time_zone = $3, test_clock_id = $4,
				opened_on = $5, next_day = CASE WHEN next_day = $8 THEN $6 END, state = $7 WHERE account_number = $1`,
				r.AccountNumber, r.StatementDay, r.TimeZone, r.TestClockID, r.OpenedOn, r.NextDay, string(r.State), prevNextDay)
		}
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE account_servicing SET statement_day = $2, time_zone = $3, test_clock_id = $4, opened_on = $5,
			next_day = $6, state = $7 WHERE account_number = $1 AND next_day = $8`,
			r.AccountNumber, r.StatementDay, r.TimeZone, r.TestClockID, r.OpenedOn, r.NextDay, string(r.State), prevNextDay)
		if err != nil {
			return fmt.Errorf("save account servicing: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return engine.ErrDayApplied
		}
		return nil
	})
}

// ClaimDay records that (number, day) is applied; the primary key refuses
// it a second time.
func (db *DB) ClaimDay(ctx context.Context, number, day string, at time.Time) error {
	return db.Write(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO servicing_days (account_number, day, applied) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			number, day, micros(at))
		if err != nil {
			return fmt.Errorf("claim servicing day: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return engine.ErrDayApplied
		}
		return nil
	})
}

// AppliedDays counts the (account, day) rows applied, for tests and the
// operator: each day of each account appears once.
func (db *DB) AppliedDays(ctx context.Context, number string) ([]string, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT day FROM servicing_days WHERE account_number = $1 ORDER BY day`, number)
	if err != nil {
		return nil, err
	}
	return column(rows)
}

// DueAccounts lists accounts of zone without a test clock whose next day
// is before today, after the cursor after ("" to start), oldest next day
// first then by number, with the cursor to pass for the next page. The
// order is the due index's own, so each page starts where the last ended
// (by number alone, every page scanned all the remaining due accounts:
// quadratic, minutes at a million accounts).
func (db *DB) DueAccounts(ctx context.Context, zone, today, after string, limit int) ([]string, string, error) {
	day, number, _ := strings.Cut(after, "/")
	rows, err := db.r.QueryContext(ctx, `SELECT account_number, next_day FROM account_servicing WHERE test_clock_id = '' AND time_zone = $1
		AND next_day < $2 AND (next_day, account_number) > ($3, $4) ORDER BY next_day, account_number LIMIT $5`, zone, today, day, number, limit)
	if err != nil {
		return nil, "", fmt.Errorf("list due accounts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n, &day); err != nil {
			return nil, "", err
		}
		out = append(out, n)
	}
	if len(out) > 0 {
		after = day + "/" + out[len(out)-1]
	}
	return out, after, rows.Err()
}

// AccountsOnClock lists the accounts attached to a test clock.
func (db *DB) AccountsOnClock(ctx context.Context, clockID, after string, limit int) ([]string, error) {
	return db.numbers(ctx, `SELECT account_number FROM account_servicing WHERE test_clock_id = $1 AND account_number > $2
		ORDER BY account_number LIMIT $3`, clockID, after, limit)
}

func (db *DB) numbers(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return column(rows)
}

const clockCols = `id, merchant_id, name, frozen_time, status, created`

func scanClock(sc row) (*engine.TestClock, error) {
	var c engine.TestClock
	var frozen, created int64
	if err := sc.Scan(&c.ID, &c.MerchantID, &c.Name, &frozen, &c.Status, &created); err != nil {
		return nil, err
	}
	c.FrozenTime, c.Created = fromMicros(frozen), fromMicros(created)
	return &c, nil
}

// CreateTestClock inserts c.
func (db *DB) CreateTestClock(ctx context.Context, c *engine.TestClock) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "insert test clock", `INSERT INTO test_clocks (`+clockCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.ID, c.MerchantID, c.Name, micros(c.FrozenTime), c.Status, micros(c.Created))
	})
}

// TestClock returns merchantID's clock id.
func (db *DB) TestClock(ctx context.Context, merchantID, id string) (*engine.TestClock, error) {
	c, err := scanClock(db.q(ctx).QueryRowContext(ctx, `SELECT `+clockCols+` FROM test_clocks WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("test clock", id)
	}
	return c, err
}

// TestClockByID returns clock id whoever owns it (the engine reading an
// account's clock).
func (db *DB) TestClockByID(ctx context.Context, id string) (*engine.TestClock, error) {
	c, err := scanClock(db.q(ctx).QueryRowContext(ctx, `SELECT `+clockCols+` FROM test_clocks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("test clock", id)
	}
	return c, err
}

// SetTestClock moves clock id to t with status.
func (db *DB) SetTestClock(ctx context.Context, id string, t time.Time, status string) error {
	return db.Write(ctx, func(ctx context.Context) error {
		_, err := db.q(ctx).ExecContext(ctx, `UPDATE test_clocks SET frozen_time = $2, status = $3 WHERE id = $1`, id, micros(t), status)
		return err
	})
}

const statementCols = `id, account_number, period_start, period_end, opening, closing, minimum, due_date, language, body, text, created`

// CreateStatement inserts st and its lines.
func (db *DB) CreateStatement(ctx context.Context, st *engine.StoredStatement) error {
	return db.Write(ctx, func(ctx context.Context) error {
		if err := db.execLater(ctx, "insert statement", `INSERT INTO statements (`+statementCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			st.ID, st.AccountNumber, st.PeriodStart, st.PeriodEnd, st.Opening, st.Closing, st.Minimum, st.DueDate, st.Language,
			string(st.Body), st.Text, micros(st.Created)); err != nil {
			return err
		}
		if len(st.Lines) == 0 {
			return nil
		}
		// All lines in one statement: one step, and on PostgreSQL one
		// queued statement, however many lines.
		var q strings.Builder
		q.WriteString(`INSERT INTO statement_lines (statement_id, seq, posted_on, kind, description, amount) VALUES `)
		args := make([]any, 0, 6*len(st.Lines))
		for i, l := range st.Lines {
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6)
			args = append(args, st.ID, i, l.PostedOn, l.Kind, l.Description, l.Amount)
		}
		return db.execLater(ctx, "insert statement lines", q.String(), args...)
	})
}

func scanStatement(sc interface{ Scan(...any) error }) (*engine.StoredStatement, error) {
	var st engine.StoredStatement
	var body string
	var created int64
	if err := sc.Scan(&st.ID, &st.AccountNumber, &st.PeriodStart, &st.PeriodEnd, &st.Opening, &st.Closing, &st.Minimum, &st.DueDate,
		&st.Language, &body, &st.Text, &created); err != nil {
		return nil, err
	}
	st.Body, st.Created = []byte(body), fromMicros(created)
	return &st, nil
}

// Statement returns statement id with its lines.
func (db *DB) Statement(ctx context.Context, id string) (*engine.StoredStatement, error) {
	st, err := scanStatement(db.q(ctx).QueryRowContext(ctx, `SELECT `+statementCols+` FROM statements WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("statement", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read statement: %w", err)
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT posted_on, kind, description, amount FROM statement_lines WHERE statement_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l engine.StatementLine
		if err := rows.Scan(&l.PostedOn, &l.Kind, &l.Description, &l.Amount); err != nil {
			return nil, err
		}
		st.Lines = append(st.Lines, l)
	}
	return st, rows.Err()
}

// Statements lists an account's statements, newest first (without lines).
func (db *DB) Statements(ctx context.Context, number string, p openflex.ListParams) ([]*engine.StoredStatement, bool, error) {
	l := newList(`SELECT `+statementCols+` FROM statements WHERE account_number = $1`, number)
	return listRows(ctx, db, l, p, scanStatement)
}

const paymentCols = `id, account_number, amount, channel, merchant_id, store_id, register_id, employee_id, verification_id, reference,
	status, posted_on, transaction_id, allocation, nsf_fee, reversal_id, reversal_reason, reversed_at, created`

type allocationJSON struct {
	SegmentID string `json:"segment_id"`
	Bucket    string `json:"bucket"`
	Amount    int64  `json:"amount"`
}

// CreatePayment inserts p and its allocation rows.
func (db *DB) CreatePayment(ctx context.Context, p *engine.Payment) error {
	alloc := make([]allocationJSON, len(p.Allocation))
	for i, a := range p.Allocation {
		alloc[i] = allocationJSON(a)
	}
	b, _ := json.Marshal(alloc)
	return db.Write(ctx, func(ctx context.Context) error {
		if err := db.execLater(ctx, "insert payment", `INSERT INTO payments (`+paymentCols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			p.ID, p.AccountNumber, p.Amount, p.Channel, p.MerchantID, p.StoreID, p.RegisterID, p.EmployeeID, p.VerificationID, p.Reference,
			p.Status, p.PostedOn, p.TransactionID, string(b), p.NSFFee, p.ReversalID, p.ReversalReason, micros(p.ReversedAt), micros(p.Created)); err != nil {
			return err
		}
		for i, a := range p.Allocation {
			if err := db.execLater(ctx, "insert payment allocation", `INSERT INTO payment_allocations (payment_id, seq, segment_id, bucket, amount)
				VALUES ($1, $2, $3, $4, $5)`, p.ID, i, a.SegmentID, a.Bucket, a.Amount); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanPayment(sc interface{ Scan(...any) error }) (*engine.Payment, error) {
	var p engine.Payment
	var alloc string
	var reversed, created int64
	if err := sc.Scan(&p.ID, &p.AccountNumber, &p.Amount, &p.Channel, &p.MerchantID, &p.StoreID, &p.RegisterID, &p.EmployeeID,
		&p.VerificationID, &p.Reference, &p.Status, &p.PostedOn, &p.TransactionID, &alloc, &p.NSFFee, &p.ReversalID, &p.ReversalReason,
		&reversed, &created); err != nil {
		return nil, err
	}
	var al []allocationJSON
	if err := json.Unmarshal([]byte(alloc), &al); err != nil {
		return nil, fmt.Errorf("decode allocation: %w", err)
	}
	for _, a := range al {
		p.Allocation = append(p.Allocation, engine.AllocationLine(a))
	}
	if reversed != 0 {
		p.ReversedAt = fromMicros(reversed)
	}
	p.Created = fromMicros(created)
	return &p, nil
}

// Payment returns payment id, locked inside a write transaction.
func (db *DB) Payment(ctx context.Context, id string) (*engine.Payment, error) {
	lock := ""
	if db.InTx(ctx) {
		lock = db.forUpdate()
	}
	p, err := scanPayment(db.q(ctx).QueryRowContext(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, openflex.NotFound("payment", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read payment: %w", err)
	}
	return p, nil
}

// UpdatePayment saves a payment's reversal.
func (db *DB) UpdatePayment(ctx context.Context, p *engine.Payment) error {
	return db.Write(ctx, func(ctx context.Context) error {
		return db.execLater(ctx, "update payment", `UPDATE payments SET status = $2, nsf_fee = $3, reversal_id = $4, reversal_reason = $5, reversed_at = $6
			WHERE id = $1`, p.ID, p.Status, p.NSFFee, p.ReversalID, p.ReversalReason, micros(p.ReversedAt))
	})
}

// Payments lists an account's payments, newest first.
func (db *DB) Payments(ctx context.Context, number string, p openflex.ListParams) ([]*engine.Payment, bool, error) {
	l := newList(`SELECT `+paymentCols+` FROM payments WHERE account_number = $1`, number)
	return listRows(ctx, db, l, p, scanPayment)
}

// PaymentByReference returns an account's succeeded payment of channel
// with reference, nil when there is none (a reversed cheque deposited
// again is a new payment).
func (db *DB) PaymentByReference(ctx context.Context, number, channel, reference string) (*engine.Payment, error) {
	p, err := scanPayment(db.q(ctx).QueryRowContext(ctx, `SELECT `+paymentCols+` FROM payments WHERE account_number = $1 AND channel = $2 AND reference = $3
		AND status = 'succeeded' ORDER BY id LIMIT 1`, number, channel, reference))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read payment: %w", err)
	}
	return p, nil
}

// PaidOn sums an account's succeeded payments dated day.
func (db *DB) PaidOn(ctx context.Context, number, day string) (int64, error) {
	var n int64
	err := db.q(ctx).QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM payments WHERE account_number = $1 AND posted_on = $2 AND status = 'succeeded'`,
		number, day).Scan(&n)
	return n, err
}

var _ engine.HistoryStore = (*DB)(nil)

// prefixed qualifies each column of cols with alias.
func prefixed(alias, cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, alias+"."+strings.TrimSpace(c))
	}
	return strings.Join(out, ", ")
}

// AccountHistory reads what happened to an account, from its transactions
// (captures with their authorizations, returns), its payments and its
// status changes, each list in creation order.
func (db *DB) AccountHistory(ctx context.Context, number string) (*engine.History, error) {
	h := &engine.History{}
	caps, err := queryAll(ctx, db, `SELECT `+prefixed("c", captureCols)+` FROM transactions t JOIN captures c ON c.id = t.capture_id
		WHERE t.account_number = $1 AND t.type = 'capture' ORDER BY t.id`, scanCapture, number)
	if err != nil {
		return nil, fmt.Errorf("account history: %w", err)
	}
	auths, err := queryAll(ctx, db, `SELECT `+authCols+` FROM authorizations WHERE id IN
		(SELECT authorization_id FROM transactions WHERE account_number = $1 AND type = 'capture')`, scanAuth, number)
	if err != nil {
		return nil, fmt.Errorf("account history: %w", err)
	}
	byID := map[string]*openflex.Authorization{}
	for _, a := range auths {
		byID[a.ID] = a
	}
	for _, c := range caps {
		h.Captures = append(h.Captures, engine.CaptureRecord{Capture: c, Authorization: byID[c.AuthorizationID]})
	}
	if h.Returns, err = queryAll(ctx, db, `SELECT `+prefixed("r", returnCols)+` FROM transactions t JOIN returns r ON r.id = t.return_id
		WHERE t.account_number = $1 AND t.type = 'return' ORDER BY t.id`, scanReturn, number); err != nil {
		return nil, err
	}
	if h.Payments, err = queryAll(ctx, db, `SELECT `+paymentCols+` FROM payments WHERE account_number = $1 ORDER BY id`, scanPayment, number); err != nil {
		return nil, err
	}
	h.StatusChanges, err = queryAll(ctx, db, `SELECT id, account_number, from_status, to_status, actor, reason, created FROM account_status_changes
		WHERE account_number = $1 ORDER BY id`, func(sc interface{ Scan(...any) error }) (*engine.StatusChange, error) {
		var c engine.StatusChange
		var from, to string
		var created int64
		if err := sc.Scan(&c.ID, &c.AccountNumber, &from, &to, &c.Actor, &c.Reason, &created); err != nil {
			return nil, err
		}
		c.From, c.To, c.Created = openflex.AccountStatus(from), openflex.AccountStatus(to), fromMicros(created)
		return &c, nil
	}, number)
	if err != nil {
		return nil, err
	}
	h.Waivers, err = db.Waivers(ctx, number)
	return h, err
}

// ServicedAccounts lists the accounts with a servicing state after
// account number after.
func (db *DB) ServicedAccounts(ctx context.Context, after string, limit int) ([]string, error) {
	return db.numbers(ctx, `SELECT account_number FROM account_servicing WHERE state <> '' AND account_number > $1
		ORDER BY account_number LIMIT $2`, after, limit)
}

func queryAll[T any](ctx context.Context, db *DB, q string, scan func(interface{ Scan(...any) error }) (T, error), args ...any) ([]T, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
