package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// List is one page of a list, newest first.
type List[T any] struct {
	Object string `json:"object"`
	Data   []*T   `json:"data"`
	// HasMore reports whether more objects follow this page (older ones,
	// or newer ones when paging with EndingBefore).
	HasMore bool `json:"has_more"`
}

// ListParams are the paging and date filters every list takes.
type ListParams struct {
	// Limit is the page size, 1 to 100 (default 10 for List; All asks
	// for pages of 100 unless set).
	Limit int
	// StartingAfter lists the objects older than this id (the next page).
	StartingAfter string
	// EndingBefore lists the objects newer than this id (the previous
	// page). All then walks towards the newest.
	EndingBefore string
	// CreatedFrom and CreatedTo bound the creation time, inclusive; zero
	// means unbounded.
	CreatedFrom, CreatedTo time.Time
}

// PageParams are the paging parameters alone, for the lists filtered by
// something other than the creation time (settlements, by business day).
type PageParams struct {
	// Limit is the page size, 1 to 100 (default 10 for List; All asks
	// for pages of 100 unless set).
	Limit int
	// StartingAfter lists the objects older than this id (the next page).
	StartingAfter string
	// EndingBefore lists the objects newer than this id (the previous
	// page). All then walks towards the newest.
	EndingBefore string
}

func (p PageParams) values() url.Values {
	q := url.Values{}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	setNonEmpty(q, "starting_after", p.StartingAfter)
	setNonEmpty(q, "ending_before", p.EndingBefore)
	return q
}

// values encodes p; a nil p is no filter.
func (p *ListParams) values() url.Values {
	if p == nil {
		return url.Values{}
	}
	q := PageParams{Limit: p.Limit, StartingAfter: p.StartingAfter, EndingBefore: p.EndingBefore}.values()
	if !p.CreatedFrom.IsZero() {
		q.Set("created_from", p.CreatedFrom.UTC().Format(time.RFC3339Nano))
	}
	if !p.CreatedTo.IsZero() {
		q.Set("created_to", p.CreatedTo.UTC().Format(time.RFC3339Nano))
	}
	return q
}

func setNonEmpty(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

// listPage gets one page.
func listPage[T any](ctx context.Context, c *Client, path string, q url.Values) (*List[T], error) {
	var l List[T]
	if err := c.call(ctx, http.MethodGet, path, q, nil, "", &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// listAll yields every object of a list, page after page, following the
// cursor: starting_after the last object, or ending_before the first one
// when the caller paged backwards. An error is yielded once, and ends the
// sequence.
func listAll[T any](ctx context.Context, c *Client, path string, q url.Values, id func(*T) string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		q := cloneValues(q)
		if q.Get("limit") == "" {
			q.Set("limit", "100")
		}
		backwards := q.Get("ending_before") != ""
		for {
			page, err := listPage[T](ctx, c, path, q)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, v := range page.Data {
				if !yield(v, nil) {
					return
				}
			}
			if !page.HasMore || len(page.Data) == 0 {
				return
			}
			if backwards {
				q.Set("ending_before", id(page.Data[0]))
			} else {
				q.Set("starting_after", id(page.Data[len(page.Data)-1]))
			}
		}
	}
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
