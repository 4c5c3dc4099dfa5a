package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/users"
)

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func portalUser(t *testing.T, s *sqlstore.Stores, merchantID, email string) *users.User {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := &users.User{ID: openflex.NewID(openflex.PrefixUser), MerchantID: merchantID, Role: users.RoleMerchant,
		Email: email, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Created: now}
	if merchantID == "" {
		u.Role = users.RoleAdmin
	}
	if err := s.Control.CreatePortalUser(context.Background(), u); err != nil {
		t.Fatalf("CreatePortalUser(%s): %v", email, err)
	}
	return u
}

func TestPortalUsers(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s, "ON")
		u := portalUser(t, s, m.ID, "Dev@Maple.Example")
		if u.Email != "dev@maple.example" {
			t.Errorf("CreatePortalUser kept email %q, want it lower-cased", u.Email)
		}
		admin := portalUser(t, s, "", "ops@lender.example")

		tests := []struct {
			name  string
			email string
			want  string
		}{
			{"exact", "dev@maple.example", u.ID},
			{"any case and spaces", "  DEV@maple.EXAMPLE ", u.ID},
			{"admin", "ops@lender.example", admin.ID},
		}
		for _, tc := range tests {
			got, err := s.Control.PortalUserByEmail(ctx, tc.email)
			if err != nil || got.ID != tc.want {
				t.Errorf("%s: PortalUserByEmail(%q) = %v, %v; want %s", tc.name, tc.email, got, err, tc.want)
			}
		}
		got, err := s.Control.PortalUser(ctx, u.ID)
		if err != nil || got.MerchantID != m.ID || got.Role != users.RoleMerchant || got.PasswordHash != u.PasswordHash || !got.Created.Equal(u.Created) || got.Verified() {
			t.Fatalf("PortalUser = %+v, %v; want %+v", got, err, u)
		}
		if a, _ := s.Control.PortalUser(ctx, admin.ID); a.MerchantID != "" || a.Role != users.RoleAdmin {
			t.Errorf("admin read back as %+v", a)
		}
		if _, err := s.Control.PortalUserByEmail(ctx, "nobody@maple.example"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("PortalUserByEmail(unknown) = %v, want resource_missing", err)
		}
		// The same address in another case is the same account.
		dup := &users.User{ID: openflex.NewID(openflex.PrefixUser), MerchantID: m.ID, Role: users.RoleMerchant, Email: "DEV@maple.example", PasswordHash: "x", Created: time.Now()}
		if err := s.Control.CreatePortalUser(ctx, dup); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Errorf("CreatePortalUser(duplicate email) = %v, want parameter_invalid", err)
		}

		now := time.Now().UTC().Truncate(time.Microsecond)
		if err := s.Control.VerifyPortalEmail(ctx, u.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := s.Control.VerifyPortalEmail(ctx, u.ID, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Control.PortalUser(ctx, u.ID); !got.EmailVerifiedAt.Equal(now) {
			t.Errorf("EmailVerifiedAt = %v, want the first verification %v", got.EmailVerifiedAt, now)
		}
		if err := s.Control.VerifyPortalEmail(ctx, "usr_missing", now); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("VerifyPortalEmail(missing) = %v, want resource_missing", err)
		}
	})
}

// TestPortalLockout: failures count per (user, address); the fifth in a
// row locks that address out only, concurrent guesses lock exactly once,
// a success from the address starts its count again, and a new password
// lifts every lock.
func TestPortalLockout(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s, "ON")
		u := portalUser(t, s, m.ID, "dev@maple.example")
		now := time.Now().UTC().Truncate(time.Microsecond)
		until := now.Add(15 * time.Minute)
		const from, other = "198.51.100.7", "203.0.113.10"
		locked := func(addr string) bool {
			t.Helper()
			l, err := s.Control.PortalLoginLocked(ctx, u.ID, addr, now)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}

		for i := 1; i <= 4; i++ {
			if l, err := s.Control.PortalLoginFailed(ctx, u.ID, from, 5, until); err != nil || l {
				t.Fatalf("failure %d: PortalLoginFailed = %v, %v; want not locked", i, l, err)
			}
		}
		// A success in between starts the count again.
		if err := s.Control.PortalLoginSucceeded(ctx, u.ID, from); err != nil {
			t.Fatal(err)
		}
		// Five concurrent guesses still lock exactly once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		locks := 0
		for range 5 {
			wg.Go(func() {
				l, err := s.Control.PortalLoginFailed(ctx, u.ID, from, 5, until)
				if err != nil {
					t.Errorf("PortalLoginFailed: %v", err)
				}
				if l {
					mu.Lock()
					locks++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if locks != 1 || !locked(from) || locked(other) {
			t.Fatalf("after 5 failures from %s: locks %d, locked there %v, locked from %s %v; want 1, true, false", from, locks, locked(from), other, locked(other))
		}
		if l, _ := s.Control.PortalLoginLocked(ctx, u.ID, from, until); l {
			t.Error("still locked when the lock ends")
		}
		// Setting a password (a reset) lifts the lock.
		if err := s.Control.SetPortalPassword(ctx, u.ID, "new-hash"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Control.PortalUser(ctx, u.ID); got.PasswordHash != "new-hash" || locked(from) {
			t.Fatalf("after SetPortalPassword: %+v, locked %v", got, locked(from))
		}
	})
}

func TestPortalSessions(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s, "ON")
		u := portalUser(t, s, m.ID, "dev@maple.example")
		now := time.Now().UTC().Truncate(time.Microsecond)
		sess := &users.Session{Hash: hashOf("token-1"), UserID: u.ID, CSRFSecret: []byte("csrf-secret-1"), Created: now, LastSeen: now, ExpiresAt: now.Add(12 * time.Hour)}
		other := &users.Session{Hash: hashOf("token-2"), UserID: u.ID, CSRFSecret: []byte("csrf-secret-2"), Created: now, LastSeen: now, ExpiresAt: now.Add(12 * time.Hour)}
		for _, x := range []*users.Session{sess, other} {
			if err := s.Control.CreatePortalSession(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Control.PortalSession(ctx, hashOf("token-1"))
		if err != nil || got.UserID != u.ID || !bytes.Equal(got.CSRFSecret, sess.CSRFSecret) || !got.ExpiresAt.Equal(sess.ExpiresAt) || !got.LastSeen.Equal(now) {
			t.Fatalf("PortalSession = %+v, %v; want %+v", got, err, sess)
		}
		if _, err := s.Control.PortalSession(ctx, hashOf("token-3")); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("PortalSession(unknown) = %v, want resource_missing", err)
		}
		later := now.Add(2 * time.Minute)
		if err := s.Control.TouchPortalSession(ctx, sess.Hash, later); err != nil {
			t.Fatal(err)
		}
		// A touch never moves last_seen backwards (two nodes, one slower).
		if err := s.Control.TouchPortalSession(ctx, sess.Hash, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Control.PortalSession(ctx, sess.Hash); !got.LastSeen.Equal(later) {
			t.Errorf("LastSeen = %v, want %v", got.LastSeen, later)
		}
		if err := s.Control.DeletePortalSession(ctx, sess.Hash); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Control.PortalSession(ctx, sess.Hash); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("PortalSession after delete = %v, want resource_missing", err)
		}
		if _, err := s.Control.PortalSession(ctx, other.Hash); err != nil {
			t.Errorf("deleting one session ended another: %v", err)
		}
		if err := s.Control.DeletePortalSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Control.PortalSession(ctx, other.Hash); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("PortalSession after DeletePortalSessions = %v, want resource_missing", err)
		}

		// Purge drops idle and expired sessions and expired tokens only.
		fresh := &users.Session{Hash: hashOf("fresh"), UserID: u.ID, CSRFSecret: []byte("x"), Created: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)}
		idle := &users.Session{Hash: hashOf("idle"), UserID: u.ID, CSRFSecret: []byte("x"), Created: now, LastSeen: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}
		old := &users.Session{Hash: hashOf("old"), UserID: u.ID, CSRFSecret: []byte("x"), Created: now, LastSeen: now, ExpiresAt: now.Add(-time.Second)}
		for _, x := range []*users.Session{fresh, idle, old} {
			if err := s.Control.CreatePortalSession(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		for _, tok := range []*users.EmailToken{
			{Hash: hashOf("live"), UserID: u.ID, Purpose: users.PurposeVerify, Created: now, ExpiresAt: now.Add(time.Hour)},
			{Hash: hashOf("dead"), UserID: u.ID, Purpose: users.PurposeVerify, Created: now, ExpiresAt: now.Add(-time.Second)},
		} {
			if err := s.Control.CreateEmailToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.Control.PurgePortal(ctx, now, now.Add(-30*time.Minute))
		if err != nil || n != 3 {
			t.Fatalf("PurgePortal = %d, %v; want 3", n, err)
		}
		if _, err := s.Control.PortalSession(ctx, fresh.Hash); err != nil {
			t.Errorf("PurgePortal removed a live session: %v", err)
		}
		if _, err := s.Control.UseEmailToken(ctx, hashOf("live"), users.PurposeVerify, now); err != nil {
			t.Errorf("PurgePortal removed a live token: %v", err)
		}
	})
}

func TestEmailTokens(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s, "ON")
		u := portalUser(t, s, m.ID, "dev@maple.example")
		now := time.Now().UTC().Truncate(time.Microsecond)
		for _, tok := range []*users.EmailToken{
			{Hash: hashOf("verify"), UserID: u.ID, Purpose: users.PurposeVerify, Created: now, ExpiresAt: now.Add(48 * time.Hour)},
			{Hash: hashOf("reset-1"), UserID: u.ID, Purpose: users.PurposeReset, Created: now, ExpiresAt: now.Add(time.Hour)},
			{Hash: hashOf("reset-2"), UserID: u.ID, Purpose: users.PurposeReset, Created: now, ExpiresAt: now.Add(time.Hour)},
			{Hash: hashOf("expired"), UserID: u.ID, Purpose: users.PurposeReset, Created: now, ExpiresAt: now.Add(-time.Second)},
		} {
			if err := s.Control.CreateEmailToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name    string
			token   string
			purpose users.Purpose
			ok      bool
		}{
			{"wrong purpose", "verify", users.PurposeReset, false},
			{"verify", "verify", users.PurposeVerify, true},
			{"used twice", "verify", users.PurposeVerify, false},
			{"expired", "expired", users.PurposeReset, false},
			{"unknown", "nope", users.PurposeReset, false},
			{"reset", "reset-1", users.PurposeReset, true},
		}
		for _, tc := range tests {
			got, err := s.Control.UseEmailToken(ctx, hashOf(tc.token), tc.purpose, now)
			if tc.ok && (err != nil || got.UserID != u.ID || !got.UsedAt.Equal(now)) {
				t.Errorf("%s: UseEmailToken = %+v, %v; want spent for %s", tc.name, got, err, u.ID)
			}
			if !tc.ok && openflex.ErrorCode(err) != openflex.CodeResourceMissing {
				t.Errorf("%s: UseEmailToken = %+v, %v; want resource_missing", tc.name, got, err)
			}
		}
		// One reset done, the other outstanding links die.
		if err := s.Control.SpendEmailTokens(ctx, u.ID, users.PurposeReset, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Control.UseEmailToken(ctx, hashOf("reset-2"), users.PurposeReset, now); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("UseEmailToken(after SpendEmailTokens) = %v, want resource_missing", err)
		}
	})
}

func TestGoLiveRequests(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		m, _ := Merchant(t, s, "ON")
		other, _ := Merchant(t, s, "BC")
		now := time.Now().UTC().Truncate(time.Microsecond)
		req := func(merchantID, note string) *users.GoLiveRequest {
			return &users.GoLiveRequest{ID: openflex.NewID(users.PrefixGoLive), MerchantID: merchantID, Status: users.GoLivePending, Note: note, Created: now}
		}
		first := req(m.ID, "Shopify store ready")
		if err := s.Control.CreateGoLiveRequest(ctx, first); err != nil {
			t.Fatal(err)
		}
		if err := s.Control.CreateGoLiveRequest(ctx, req(m.ID, "again")); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Fatalf("second pending request = %v, want parameter_invalid", err)
		}
		theirs := req(other.ID, "")
		if err := s.Control.CreateGoLiveRequest(ctx, theirs); err != nil {
			t.Fatal(err)
		}
		pending, err := s.Control.GoLiveRequestsByStatus(ctx, users.GoLivePending, 10)
		if err != nil || len(pending) != 2 || pending[0].ID != first.ID || pending[1].ID != theirs.ID {
			t.Fatalf("GoLiveRequestsByStatus(pending) = %v, %v; want oldest first [%s %s]", pending, err, first.ID, theirs.ID)
		}

		if err := s.Control.DecideGoLiveRequest(ctx, first.ID, users.GoLiveRejected, "usr_admin", "need a privacy policy", now); err != nil {
			t.Fatal(err)
		}
		if err := s.Control.DecideGoLiveRequest(ctx, first.ID, users.GoLiveApproved, "usr_admin", "", now); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Errorf("deciding twice = %v, want parameter_invalid", err)
		}
		if err := s.Control.DecideGoLiveRequest(ctx, "glr_missing", users.GoLiveApproved, "usr_admin", "", now); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("DecideGoLiveRequest(missing) = %v, want resource_missing", err)
		}
		if err := s.Control.DecideGoLiveRequest(ctx, theirs.ID, users.GoLivePending, "usr_admin", "", now); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
			t.Errorf("DecideGoLiveRequest(pending) = %v, want parameter_invalid", err)
		}
		got, err := s.Control.GoLiveRequest(ctx, first.ID)
		if err != nil || got.Status != users.GoLiveRejected || got.DecisionNote != "need a privacy policy" || got.DecidedBy != "usr_admin" || !got.DecidedAt.Equal(now) || got.Note != first.Note {
			t.Fatalf("GoLiveRequest = %+v, %v", got, err)
		}
		// Once decided, the merchant may ask again.
		second := req(m.ID, "privacy policy added")
		if err := s.Control.CreateGoLiveRequest(ctx, second); err != nil {
			t.Fatalf("request after a rejection: %v", err)
		}
		mine, err := s.Control.GoLiveRequests(ctx, m.ID, 10)
		if err != nil || len(mine) != 2 || mine[0].ID != second.ID || mine[1].ID != first.ID {
			t.Fatalf("GoLiveRequests = %v, %v; want newest first [%s %s]", mine, err, second.ID, first.ID)
		}
	})
}

func TestListMerchants(t *testing.T) {
	Each(t, func(t *testing.T, e Engine) {
		s := e.Open(t)
		ctx := context.Background()
		var want []string
		for range 3 {
			m, _ := Merchant(t, s)
			want = append([]string{m.ID}, want...)
		}
		page, more, err := s.Control.ListMerchants(ctx, openflex.ListParams{Limit: 2})
		if err != nil || !more || len(page) != 2 || page[0].ID != want[0] || page[1].ID != want[1] {
			t.Fatalf("ListMerchants page 1 = %v, %v, %v; want %v", page, more, err, want[:2])
		}
		page, more, err = s.Control.ListMerchants(ctx, openflex.ListParams{Limit: 2, StartingAfter: page[1].ID})
		if err != nil || more || len(page) != 1 || page[0].ID != want[2] {
			t.Fatalf("ListMerchants page 2 = %v, %v, %v; want [%s]", page, more, err, want[2])
		}
	})
}
