package storetest

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/openflex/openflex"
)

// TestMarkDispatched: a batch is marked in one statement, and an event
// another node marked first is not reported, so its deliveries are not
// made twice.
func TestMarkDispatched(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Training)
		ctx := context.Background()
		var ids []string
		for range 3 {
			ev := &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: "mer_x", Type: "authorization.created",
				Object: []byte(`{}`), Created: time.Now()}
			if err := db.AppendEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ev.ID)
		}
		tests := []struct {
			mark, want []string
		}{
			{ids[:2], ids[:2]},
			{ids[1:], ids[2:]}, // ids[1] was marked by "another node"
			{ids, nil},
			{nil, nil},
		}
		for _, tc := range tests {
			got, err := db.MarkDispatched(ctx, tc.mark)
			if err != nil {
				t.Fatal(err)
			}
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, tc.want) {
				t.Fatalf("MarkDispatched(%v) = %v, want %v", tc.mark, keys, tc.want)
			}
		}
		if left, err := db.UndispatchedEvents(ctx, 10); err != nil || len(left) != 0 {
			t.Fatalf("undispatched after marking all: %d, %v", len(left), err)
		}
	})
}
