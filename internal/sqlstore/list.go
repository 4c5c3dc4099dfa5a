package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/openflex/openflex"
)

// listQuery appends the cursor and date conditions of p to a query whose
// WHERE clause is already open, orders newest first and fetches one extra
// row to learn whether there is more. Identifiers sort by creation time, so
// the cursor is a comparison on id.
type listQuery struct {
	sb    strings.Builder
	args  []any
	limit int
	// reversed is set for ending_before, whose rows come back oldest first.
	reversed bool
	// openCursor lets the caller judge the cursor: settlements page past
	// open days whose ids have no row yet.
	openCursor bool
}

func newList(base string, args ...any) *listQuery {
	l := &listQuery{args: args}
	l.sb.WriteString(base)
	return l
}

func (l *listQuery) arg(v any) string {
	l.args = append(l.args, v)
	return fmt.Sprintf("$%d", len(l.args))
}

// inList appends vals to args and returns their placeholders for an
// IN (…) list: "$3, $4, $5" after two arguments.
func inList(args []any, vals []string) (string, []any) {
	ph := make([]string, len(vals))
	for i, v := range vals {
		args = append(args, v)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	return strings.Join(ph, ", "), args
}

// where adds "AND cond" with one argument in place of the "?" in cond.
func (l *listQuery) where(cond string, v any) {
	l.sb.WriteString(" AND ")
	l.sb.WriteString(strings.Replace(cond, "?", l.arg(v), 1))
}

// checkCursor refuses a cursor that is not one of the objects this list
// (with its filters) holds — a typo, another environment's id, one since
// scrubbed — naming the parameter. Read as "from the start" it made a
// paging client start over without noticing. Call it before page.
func (l *listQuery) checkCursor(ctx context.Context, q querier, p openflex.ListParams) error {
	param, id := "starting_after", p.StartingAfter
	if id == "" {
		param, id = "ending_before", p.EndingBefore
	}
	if id == "" {
		return nil
	}
	args := append(slices.Clone(l.args), id)
	var found bool
	err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT EXISTS (%s AND id = $%d)", l.sb.String(), len(args)), args...).Scan(&found)
	if err != nil {
		return fmt.Errorf("check the list cursor: %w", err)
	}
	if !found {
		return &openflex.Error{Code: openflex.CodeParameterInvalid, Param: param,
			Message: fmt.Sprintf("%s %q is not one of the objects this list holds: pass the id of an object from the previous page", param, id)}
	}
	return nil
}

func (l *listQuery) page(p openflex.ListParams) (string, []any) {
	if !p.CreatedFrom.IsZero() {
		l.where("created >= ?", micros(p.CreatedFrom))
	}
	if !p.CreatedTo.IsZero() {
		l.where("created <= ?", micros(p.CreatedTo))
	}
	order := "DESC"
	switch {
	case p.StartingAfter != "":
		l.where("id < ?", p.StartingAfter)
	case p.EndingBefore != "":
		l.where("id > ?", p.EndingBefore)
		order, l.reversed = "ASC", true
	}
	l.limit = p.PageLimit()
	// LIMIT is a parameter, so every page size shares one prepared
	// statement on PostgreSQL.
	fmt.Fprintf(&l.sb, " ORDER BY id %s LIMIT %s", order, l.arg(l.limit+1))
	return l.sb.String(), l.args
}

// trim cuts the extra row and restores newest-first order.
func trim[T any](l *listQuery, rows []T) ([]T, bool) {
	more := len(rows) > l.limit
	if more {
		rows = rows[:l.limit]
	}
	if l.reversed {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	return rows, more
}
