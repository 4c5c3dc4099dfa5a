package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/openflex/openflex"
)

// Cloning accounts, for load tests only (openflex-bench's statement run):
// a million accounts built one by one through the services take hours on
// a small machine, so the bench builds a few through the services and
// their days, and copies them here. A copy is its template's rows in every
// table an account's life writes (customer, account, consent,
// authorizations, captures, their settlement lines, transactions with
// their ledger entries, payments with their allocations, servicing row and
// state), with a new account number and new ids substituted wherever the
// template's appear (ledger names, JSON bodies, the servicing state): its
// ledger entries balance and its state follows from its history exactly
// as its template's. Not copied: the template's events (already
// delivered history) and its servicing_days claims (only a guard against
// applying a day twice; the copy's next day is already past them).

// cloneTable is one table a template's rows are read from.
type cloneTable struct {
	name  string
	where string // selects the template's rows; $1 is its number
	// ids are the columns holding ids the copy gets new ones for.
	ids []string
}

var cloneTables = []cloneTable{
	{"customers", `id = (SELECT customer_id FROM accounts WHERE account_number = $1)`, []string{"id", "identity_hash"}},
	{"accounts", `account_number = $1`, nil},
	{"consents", `account_number = $1`, []string{"id"}},
	{"authorizations", `account_number = $1`, []string{"id"}},
	{"captures", `account_number = $1`, []string{"id"}},
	{"settlement_lines", `authorization_id IN (SELECT id FROM authorizations WHERE account_number = $1)`, []string{"id"}},
	{"transactions", `account_number = $1`, []string{"id"}},
	{"ledger_entries", `transaction_id IN (SELECT id FROM transactions WHERE account_number = $1)`, nil},
	{"payments", `account_number = $1`, []string{"id"}},
	{"payment_allocations", `payment_id IN (SELECT id FROM payments WHERE account_number = $1)`, nil},
	{"account_servicing", `account_number = $1`, nil},
}

type templateRows struct {
	table string
	cols  []string
	rows  [][]any
}

// template reads account number's rows and the ids they hold.
func (db *DB) template(ctx context.Context, number string) ([]templateRows, []string, error) {
	var out []templateRows
	var ids []string
	for _, t := range cloneTables {
		rows, err := db.r.QueryContext(ctx, `SELECT * FROM `+t.name+` WHERE `+t.where, number)
		if err != nil {
			return nil, nil, fmt.Errorf("read template %s: %w", t.name, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		tr := templateRows{table: t.name, cols: cols}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, nil, err
			}
			for i, c := range cols {
				for _, idc := range t.ids {
					if c == idc {
						if s, ok := text(vals[i]); ok && s != "" {
							ids = append(ids, s)
						}
					}
				}
			}
			tr.rows = append(tr.rows, vals)
		}
		if err := rows.Close(); err != nil {
			return nil, nil, err
		}
		out = append(out, tr)
	}
	if len(out[1].rows) != 1 {
		return nil, nil, openflex.NotFound("account", number)
	}
	return out, ids, nil
}

func text(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case []byte:
		return string(s), true
	}
	return "", false
}

// newIDLike is a fresh id of old's kind: an id of the same prefix, or for
// an identity hash another hash.
func newIDLike(old, number string) string {
	if prefix, _, ok := strings.Cut(old, "_"); ok && openflex.HasPrefix(old, prefix) {
		return openflex.NewID(prefix)
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%s", old, number))
	return hex.EncodeToString(h[:])[:len(old)]
}

// CloneAccounts copies account template once per number in numbers (each
// unused), in transactions of a few thousand accounts. For load tests
// only; see the top of this file.
func (db *DB) CloneAccounts(ctx context.Context, template string, numbers []string) error {
	tmpl, ids, err := db.template(ctx, template)
	if err != nil {
		return err
	}
	const perTxn = 2000
	for len(numbers) > 0 {
		k := min(perTxn, len(numbers))
		chunk := numbers[:k]
		numbers = numbers[k:]
		// Every row of every copy, table by table.
		copies := make([]templateRows, len(tmpl))
		for i, t := range tmpl {
			copies[i] = templateRows{table: t.table, cols: t.cols}
		}
		for _, number := range chunk {
			pairs := []string{template, number}
			for _, id := range ids {
				pairs = append(pairs, id, newIDLike(id, number))
			}
			r := strings.NewReplacer(pairs...)
			for i, t := range tmpl {
				for _, row := range t.rows {
					out := make([]any, len(row))
					for j, v := range row {
						switch s := v.(type) {
						case string:
							out[j] = r.Replace(s)
						case []byte:
							if t.table == "customers" && t.cols[j] == "pii" {
								// Sealed to the customer's id: opened as the
								// template's, sealed again as the copy's.
								if out[j], err = db.resealPII(s, row[slices.Index(t.cols, "id")], r); err != nil {
									return fmt.Errorf("clone %s: %w", template, err)
								}
							} else {
								out[j] = []byte(r.Replace(string(s)))
							}
						default:
							out[j] = v
						}
					}
					copies[i].rows = append(copies[i].rows, out)
				}
			}
		}
		err := db.Write(ctx, func(ctx context.Context) error {
			for _, c := range copies {
				if err := db.insertRows(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("clone %s: %w", template, err)
		}
	}
	return nil
}

// resealPII seals a template customer's personal data (sealed to its id)
// to its copy's id, which r gives.
func (db *DB) resealPII(sealed []byte, id any, r *strings.Replacer) ([]byte, error) {
	tid, _ := id.(string)
	if b, ok := id.([]byte); ok {
		tid = string(b)
	}
	plain, err := db.Vault.Open(sealed, []byte(tid))
	if err != nil {
		return nil, fmt.Errorf("open template customer %s personal data: %w", tid, err)
	}
	return db.Vault.Seal(plain, []byte(r.Replace(tid))), nil
}

// insertRows inserts t's rows in statements of at most 30,000 parameters
// (SQLite allows 32,766, PostgreSQL 65,535).
func (db *DB) insertRows(ctx context.Context, t templateRows) error {
	if len(t.rows) == 0 {
		return nil
	}
	per := max(1, 30000/len(t.cols))
	head := `INSERT INTO ` + t.table + ` (` + strings.Join(t.cols, ", ") + `) VALUES `
	for rows := t.rows; len(rows) > 0; {
		k := min(per, len(rows))
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, k*len(t.cols))
		for i, row := range rows[:k] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j := range row {
				if j > 0 {
					q.WriteString(", ")
				}
				if db.Dialect == Postgres {
					fmt.Fprintf(&q, "$%d", len(args)+1)
				} else {
					// Anonymous: SQLite looks named ones ($1) up one by
					// one, quadratic in a statement of thousands.
					q.WriteByte('?')
				}
				args = append(args, row[j])
			}
			q.WriteByte(')')
		}
		if _, err := db.q(ctx).ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", t.table, err)
		}
		rows = rows[k:]
	}
	return nil
}
