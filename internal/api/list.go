package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/openflex/openflex"
)

type listJSON[T any] struct {
	Object  string `json:"object"`
	Data    []T    `json:"data"`
	HasMore bool   `json:"has_more"`
}

func list[T any](data []T, more bool) listJSON[T] {
	if data == nil {
		data = []T{}
	}
	return listJSON[T]{Object: "list", Data: data, HasMore: more}
}

// listParams reads API.md's pagination and date filters, reporting every
// bad one at once.
func listParams(r *http.Request) (openflex.ListParams, error) {
	q := r.URL.Query()
	var p openflex.ListParams
	var probs openflex.Problems
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > openflex.MaxListLimit {
			probs.Invalid("limit", "limit must be a whole number from 1 to 100")
		}
		p.Limit = n
	}
	p.StartingAfter, p.EndingBefore = q.Get("starting_after"), q.Get("ending_before")
	if p.StartingAfter != "" && p.EndingBefore != "" {
		probs.Invalid("ending_before", "use starting_after or ending_before, not both")
	}
	var err error
	if p.CreatedFrom, err = parseTimeParam(q.Get("created_from"), false); err != nil {
		probs.Invalid("created_from", "created_from must be an RFC 3339 time or a YYYY-MM-DD date")
	}
	if p.CreatedTo, err = parseTimeParam(q.Get("created_to"), true); err != nil {
		probs.Invalid("created_to", "created_to must be an RFC 3339 time or a YYYY-MM-DD date")
	}
	return p, probs.Err()
}

// parseTimeParam accepts RFC 3339 or a date; a date as an upper bound means
// the end of that day (UTC).
func parseTimeParam(v string, endOfDay bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, err
	}
	if endOfDay {
		return d.Add(24*time.Hour - time.Microsecond), nil
	}
	return d, nil
}
