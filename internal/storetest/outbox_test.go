package storetest

import (
	"context"
	"errors"
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

// TestDeliveryLease: a claim leases a delivery to one holder; once its
// lease lapsed and another claim took it over, the first holder can neither
// record its attempt nor give the delivery back; the new holder can. A
// claim leaves out the endpoints it is told to skip.
func TestDeliveryLease(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		db := e.Open(t).Data(openflex.Training)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		for _, ep := range []string{"we_slow", "we_quick"} {
			ev := &openflex.Event{ID: openflex.NewID(openflex.PrefixEvent), MerchantID: "mer_x", Type: "authorization.created",
				Object: []byte(`{}`), Created: now}
			if err := db.AppendEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateDelivery(ctx, &openflex.Delivery{ID: openflex.NewID("whd"), EventID: ev.ID, EndpointID: ep,
				MerchantID: "mer_x", Status: "pending", NextAttemptAt: now, Created: now}); err != nil {
				t.Fatal(err)
			}
		}
		claim := func(at time.Time, skip ...string) []*openflex.Delivery {
			t.Helper()
			ds, err := db.ClaimDueDeliveries(ctx, at, time.Minute, 10, skip)
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}
		first := claim(now, "we_quick")
		if len(first) != 1 || first[0].EndpointID != "we_slow" || !first[0].Lease.Equal(now.Add(time.Minute)) {
			t.Fatalf("claim skipping we_quick = %+v, want we_slow's delivery leased until %v", first, now.Add(time.Minute))
		}
		if again := claim(now.Add(30*time.Second), "we_quick"); len(again) != 0 {
			t.Fatalf("claimed %d deliveries under a live lease", len(again))
		}
		second := claim(now.Add(2*time.Minute), "we_quick")
		if len(second) != 1 || second[0].ID != first[0].ID {
			t.Fatalf("claim after the lease lapsed = %+v", second)
		}
		stale := *first[0]
		stale.Attempts, stale.Status = 1, "succeeded"
		att := &openflex.DeliveryAttempt{ID: openflex.NewID("wha"), DeliveryID: stale.ID, At: now, StatusCode: 204}
		if err := db.RecordAttempt(ctx, &stale, att); !errors.Is(err, openflex.ErrLeaseLost) {
			t.Fatalf("RecordAttempt by the former holder = %v, want ErrLeaseLost", err)
		}
		if err := db.ReleaseDelivery(ctx, &stale); err != nil {
			t.Fatal(err)
		}
		if got := claim(now.Add(2*time.Minute+time.Second), "we_quick"); len(got) != 0 {
			t.Fatalf("the former holder's release freed the new holder's lease: %+v", got)
		}
		if atts, err := db.Attempts(ctx, stale.ID); err != nil || len(atts) != 0 {
			t.Fatalf("attempts after a refused record = %d, %v", len(atts), err)
		}
		holder := *second[0]
		holder.Attempts, holder.Status = 1, "succeeded"
		att.ID = openflex.NewID("wha")
		if err := db.RecordAttempt(ctx, &holder, att); err != nil {
			t.Fatalf("RecordAttempt by the holder = %v", err)
		}
		if atts, err := db.Attempts(ctx, holder.ID); err != nil || len(atts) != 1 {
			t.Fatalf("attempts after the holder's record = %d, %v", len(atts), err)
		}
		quick := claim(now.Add(3 * time.Minute))
		if len(quick) != 1 || quick[0].EndpointID != "we_quick" {
			t.Fatalf("claim without skip = %+v, want we_quick's delivery only", quick)
		}
		if err := db.ReleaseDelivery(ctx, quick[0]); err != nil {
			t.Fatal(err)
		}
		if got := claim(now.Add(3 * time.Minute)); len(got) != 1 {
			t.Fatalf("a released delivery is not due again: %+v", got)
		}
	})
}
