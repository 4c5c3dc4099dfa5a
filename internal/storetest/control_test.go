package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/openflex/openflex"
)

func TestMerchantsAndStores(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, stores := Merchant(t, s, "ON", "BC", "QC")
		other, otherStores := Merchant(t, s, "AB")

		got, err := s.Control.Merchant(ctx, m.ID)
		if err != nil || got.Name != m.Name || !got.Created.Equal(m.Created) || got.LiveApproved {
			t.Fatalf("Merchant = %+v, %v; want %+v", got, err, m)
		}
		if err := s.Control.ApproveMerchant(ctx, m.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Control.Merchant(ctx, m.ID); !got.LiveApproved {
			t.Fatal("ApproveMerchant did not record go-live")
		}
		if err := s.Control.ApproveMerchant(ctx, "mer_missing", time.Now()); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("ApproveMerchant(missing) = %v, want resource_missing", err)
		}

		st, err := s.Control.Store(ctx, m.ID, stores[1].ID)
		if err != nil || st.Province != "BC" || st.TimeZone != "America/Vancouver" {
			t.Fatalf("Store = %+v, %v", st, err)
		}
		// Another merchant's store is indistinguishable from a missing one.
		if _, err := s.Control.Store(ctx, m.ID, otherStores[0].ID); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("Store(other merchant's) = %v, want resource_missing", err)
		}
		list, more, err := s.Control.Stores(ctx, other.ID, openflex.ListParams{})
		if err != nil || len(list) != 1 || more {
			t.Fatalf("Stores(other) = %d, %v, %v", len(list), more, err)
		}
	})
}

func TestListPagination(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		provs := []openflex.Province{"ON", "BC", "QC", "AB", "MB", "SK", "NS"}
		m, stores := Merchant(t, s, provs...)
		// Newest first: reverse creation order.
		var want []string
		for i := len(stores) - 1; i >= 0; i-- {
			want = append(want, stores[i].ID)
		}
		var got []string
		p := openflex.ListParams{Limit: 3}
		for {
			page, more, err := s.Control.Stores(ctx, m.ID, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range page {
				got = append(got, st.ID)
			}
			if !more {
				break
			}
			p.StartingAfter = page[len(page)-1].ID
		}
		if len(got) != len(want) {
			t.Fatalf("paged %d stores, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("page order[%d] = %s, want %s", i, got[i], want[i])
			}
		}
		// ending_before walks back towards the newest, still newest first.
		page, more, err := s.Control.Stores(ctx, m.ID, openflex.ListParams{Limit: 2, EndingBefore: want[4]})
		if err != nil || len(page) != 2 || !more || page[0].ID != want[2] || page[1].ID != want[3] {
			t.Fatalf("ending_before page = %v, more %v, err %v", page, more, err)
		}
	})
}

func TestKeySetsAndTokens(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s, "ON")
		now := time.Now().UTC().Truncate(time.Microsecond)
		ks := &openflex.KeySet{ID: openflex.NewID(openflex.PrefixKeySet), MerchantID: m.ID, Environment: openflex.Training,
			ClientID: "ofk_train_abc", TrustURLs: []string{"https://shop.example.com"}, TrustIPs: []string{"10.0.0.0/8"}, Created: now,
			Secrets: []openflex.Secret{{ID: "sec_1", Hash: []byte("hash-one"), Last4: "abcd", Created: now}}}
		if err := s.Control.CreateKeySet(ctx, ks); err != nil {
			t.Fatal(err)
		}
		got, err := s.Control.KeySetByClientID(ctx, "ofk_train_abc")
		if err != nil || got.ID != ks.ID || len(got.Secrets) != 1 || string(got.Secrets[0].Hash) != "hash-one" ||
			got.TrustURLs[0] != "https://shop.example.com" || got.TrustIPs[0] != "10.0.0.0/8" {
			t.Fatalf("KeySetByClientID = %+v, %v", got, err)
		}
		if _, err := s.Control.KeySetByClientID(ctx, "ofk_train_nope"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("unknown client id: %v", err)
		}
		// Roll: the old secret gets an expiry, the new one none.
		expiry := now.Add(24 * time.Hour)
		if err := s.Control.ExpireSecrets(ctx, ks.ID, expiry); err != nil {
			t.Fatal(err)
		}
		if err := s.Control.AddSecret(ctx, ks.ID, openflex.Secret{ID: "sec_2", Hash: []byte("hash-two"), Last4: "wxyz", Created: now}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Control.KeySet(ctx, ks.ID)
		if len(got.Secrets) != 2 || !got.Secrets[0].ExpiresAt.Equal(expiry) || !got.Secrets[1].ExpiresAt.IsZero() {
			t.Fatalf("after roll: %+v", got.Secrets)
		}
		// A duplicate secret hash is refused by the store.
		if err := s.Control.AddSecret(ctx, ks.ID, openflex.Secret{ID: "sec_3", Hash: []byte("hash-two"), Created: now}); err == nil {
			t.Fatal("duplicate secret hash accepted")
		}

		tok := sqlTok(ks.ID, now)
		if err := s.Control.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if gt, err := s.Control.TokenByHash(ctx, tok.Hash); err != nil || gt.KeySetID != ks.ID || !gt.ExpiresAt.Equal(tok.ExpiresAt) {
			t.Fatalf("TokenByHash = %+v, %v", gt, err)
		}
		if err := s.Control.RevokeKeySet(ctx, ks.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Control.TokenByHash(ctx, tok.Hash); openflex.ErrorCode(err) != openflex.CodeInvalidToken {
			t.Fatalf("token after revoke: %v", err)
		}
		if got, _ := s.Control.KeySet(ctx, ks.ID); got.Active() {
			t.Fatal("revoked key set still active")
		}
	})
}

func TestWriteIsAllOrNothing(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s)
		boom := errors.New("boom")
		err := s.Control.Write(ctx, func(ctx context.Context) error {
			st := openflex.Store{ID: openflex.NewID(openflex.PrefixStore), MerchantID: m.ID, Name: "x", Province: "ON", TimeZone: "America/Toronto", Status: "active"}
			if err := s.Control.CreateStore(ctx, &st); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want boom", err)
		}
		if list, _, _ := s.Control.Stores(ctx, m.ID, openflex.ListParams{}); len(list) != 0 {
			t.Fatalf("a failed transaction left %d stores behind", len(list))
		}
	})
}

// TestConcurrentWritesAreIsolated runs many concurrent write transactions,
// half of which fail after writing: the failures leave nothing behind and
// every success is there (with group commit, failed writes share a commit
// with successful ones and must still vanish).
func TestConcurrentWritesAreIsolated(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s)
		const n = 60
		errs := make(chan error, n)
		for i := range n {
			go func() {
				errs <- s.Control.Write(ctx, func(ctx context.Context) error {
					st := openflex.Store{ID: openflex.NewID(openflex.PrefixStore), MerchantID: m.ID, Name: fmt.Sprint("store ", i),
						Province: "ON", TimeZone: "America/Toronto", Status: "active"}
					if err := s.Control.CreateStore(ctx, &st); err != nil {
						return err
					}
					if i%2 == 1 {
						return errors.New("changed my mind")
					}
					return nil
				})
			}()
		}
		failed := 0
		for range n {
			if err := <-errs; err != nil {
				failed++
			}
		}
		list, _, err := s.Control.Stores(ctx, m.ID, openflex.ListParams{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if failed != n/2 || len(list) != n/2 {
			t.Fatalf("%d writes failed and %d stores exist; want %d and %d", failed, len(list), n/2, n/2)
		}
		for _, st := range list {
			var i int
			fmt.Sscanf(st.Name, "store %d", &i)
			if i%2 == 1 {
				t.Fatalf("a failed write left %q behind", st.Name)
			}
		}
	})
}

// TestPurchaseNames: the names servicing records with a purchase, read
// at once; another merchant's store is never named.
func TestPurchaseNames(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, stores := Merchant(t, s, "ON")
		_, others := Merchant(t, s, "QC")
		for _, tc := range []struct {
			name                string
			merchantID, storeID string
			merchant, store     string
			code                openflex.Code
		}{
			{"merchant and store", m.ID, stores[0].ID, "Maple Furniture", "Store ON", ""},
			{"no store (online)", m.ID, "", "Maple Furniture", "", ""},
			{"another merchant's store", m.ID, others[0].ID, "Maple Furniture", "", ""},
			{"unknown merchant", "mer_missing", stores[0].ID, "", "", openflex.CodeResourceMissing},
		} {
			t.Run(tc.name, func(t *testing.T) {
				merchant, store, err := s.Control.PurchaseNames(ctx, tc.merchantID, tc.storeID)
				if merchant != tc.merchant || store != tc.store || openflex.ErrorCode(err) != tc.code {
					t.Errorf("PurchaseNames = %q, %q, %v; want %q, %q, %q", merchant, store, err, tc.merchant, tc.store, tc.code)
				}
			})
		}
	})
}
