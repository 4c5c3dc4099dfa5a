package users_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/keys"
	"github.com/openflex/openflex/internal/merchant"
	"github.com/openflex/openflex/internal/sqlstore"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
)

var _ users.Store = sqlstore.Control{}

func newService(t *testing.T, s *sqlstore.Stores) *users.Service {
	ks := &keys.Service{Store: s.Control, Hasher: keys.NewHasher(bytes.Repeat([]byte{7}, 32)), CacheTTL: keys.DefaultCacheTTL, Now: time.Now}
	return users.New(users.Config{Store: s.Control, Merchants: &merchant.Service{Store: s.Control, Now: time.Now}, Keys: ks})
}

func merchantCount(t *testing.T, s *sqlstore.Stores) int {
	t.Helper()
	ms, _, err := s.Control.ListMerchants(context.Background(), openflex.ListParams{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// TestSignUpToVerified: a sign-up is one transaction (merchant, store,
// user, token); the first confirmation makes the TRAINING keys, later ones
// none; a refused sign-up or an email already taken creates nothing.
func TestSignUpToVerified(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s := e.Open(t)
		svc := newService(t, s)
		ctx := context.Background()
		const pw = "correct horse battery staple"

		for _, bad := range []users.SignUp{
			{Company: "Maple", Email: "dev@maple.example", Province: "XX", Password: pw},
			{Company: "Maple", Email: "not an email", Province: "ON", Password: pw},
			{Company: "Maple", Email: "dev@maple.example", Province: "ON", Password: "short"},
		} {
			if _, err := svc.SignUp(ctx, bad); openflex.ErrorCode(err) != openflex.CodeParameterInvalid {
				t.Errorf("SignUp(%+v) = %v, want parameter_invalid", bad, err)
			}
		}
		if n := merchantCount(t, s); n != 0 {
			t.Fatalf("refused sign-ups left %d merchants", n)
		}

		res, err := svc.SignUp(ctx, users.SignUp{Company: "Maple", Email: "Dev@Maple.example", Province: "ON", Password: pw})
		if err != nil || res.Taken || res.VerifyToken == "" || res.User.MerchantID == "" {
			t.Fatalf("SignUp = %+v, %v", res, err)
		}
		if again, err := svc.SignUp(ctx, users.SignUp{Company: "Other", Email: "dev@maple.example", Province: "QC", Password: pw}); err != nil || !again.Taken {
			t.Fatalf("SignUp with a taken email = %+v, %v; want Taken", again, err)
		}
		if n := merchantCount(t, s); n != 1 {
			t.Fatalf("%d merchants after a sign-up and a taken one, want 1", n)
		}

		if _, err := svc.Verify(ctx, "not-a-token", "Default", ""); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("Verify(bad token) = %v, want resource_missing", err)
		}
		v, err := svc.Verify(ctx, res.VerifyToken, "Default", "203.0.113.10")
		if err != nil || v.KeySet == nil || v.KeySet.Environment != openflex.Training || v.Secret == "" || !v.User.Verified() {
			t.Fatalf("Verify = %+v, %v; want the TRAINING keys", v, err)
		}
		if _, err := svc.Verify(ctx, res.VerifyToken, "Default", ""); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("a spent link = %v, want resource_missing", err)
		}
		tok, err := svc.NewEmailToken(ctx, v.User.ID, users.PurposeVerify)
		if err != nil {
			t.Fatal(err)
		}
		if v2, err := svc.Verify(ctx, tok, "Default", ""); err != nil || v2.KeySet != nil {
			t.Errorf("second confirmation = %+v, %v; want no new keys", v2, err)
		}
		if sets, _ := s.Control.KeySets(ctx, v.User.MerchantID); len(sets) != 1 {
			t.Errorf("%d key sets, want 1", len(sets))
		}
	})
}

// TestResetAndBootstrap: a reset link sets the password once; a bad link
// changes nothing; a bootstrap for an unknown merchant leaves no user.
func TestResetAndBootstrap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s := e.Open(t)
		svc := newService(t, s)
		ctx := context.Background()
		m, _ := storetest.Merchant(t, s, "ON")
		if _, err := svc.Bootstrap(ctx, "ops@lender.example", "a long enough password", "mer_missing", users.RoleMerchant); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("Bootstrap(unknown merchant) = %v, want resource_missing", err)
		}
		if _, err := s.Control.PortalUserByEmail(ctx, "ops@lender.example"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("a failed bootstrap left a user: %v", err)
		}
		u, err := svc.Bootstrap(ctx, "dev@maple.example", "the first password", m.ID, users.RoleMerchant)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ResetPassword(ctx, "bad-token", "the second password"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("ResetPassword(bad token) = %v, want resource_missing", err)
		}
		tok, err := svc.NewEmailToken(ctx, u.ID, users.PurposeReset)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ResetPassword(ctx, tok, "the second password"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ResetPassword(ctx, tok, "the third password!"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Errorf("a spent reset link = %v, want resource_missing", err)
		}
		for pw, want := range map[string]error{"the first password": users.ErrLogInFailed, "the second password": nil} {
			if _, err := svc.LogIn(ctx, "dev@maple.example", pw, "203.0.113.10"); err != want {
				t.Errorf("LogIn(%q) = %v, want %v", pw, err, want)
			}
		}
	})
}
