package users_test

import (
	"context"
	"testing"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/users"
)

// TestClerkInvitation: an invitation creates a clerk that cannot sign in
// until it chooses a password through the link; the link works once, the
// verification page cannot spend it, and another merchant's store, no
// store or a taken email are refused with nothing created.
func TestClerkInvitation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s := e.Open(t)
		svc := newService(t, s)
		ctx := context.Background()
		const pw = "correct horse battery staple"
		owner, err := svc.SignUp(ctx, users.SignUp{Company: "Maple", Email: "dev@maple.example", Province: "ON", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		rival, err := svc.SignUp(ctx, users.SignUp{Company: "Birch", Email: "dev@birch.example", Province: "ON", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		store := func(merchantID string) string {
			sts, _, err := s.Control.Stores(ctx, merchantID, openflex.ListParams{Limit: 1})
			if err != nil || len(sts) != 1 {
				t.Fatalf("stores of %s = %v, %v", merchantID, sts, err)
			}
			return sts[0].ID
		}
		mine, theirs := store(owner.User.MerchantID), store(rival.User.MerchantID)

		for _, c := range []struct {
			name  string
			in    users.Invite
			param string
		}{
			{"another merchant's store", users.Invite{Email: "sam@maple.example", StoreIDs: []string{theirs}}, "stores"},
			{"no store", users.Invite{Email: "sam@maple.example"}, "stores"},
			{"not an email", users.Invite{Email: "sam", StoreIDs: []string{mine}}, "email"},
			{"a taken email", users.Invite{Email: "DEV@birch.example", StoreIDs: []string{mine}}, "email"},
		} {
			c.in.MerchantID, c.in.Actor = owner.User.MerchantID, owner.User.ID
			_, _, err := svc.InviteClerk(ctx, c.in)
			if e, ok := err.(*openflex.Error); !ok || e.Code != openflex.CodeParameterInvalid || e.Param != c.param {
				t.Errorf("%s: InviteClerk = %v, want parameter_invalid on %s", c.name, err, c.param)
			}
		}
		if cs, err := svc.Clerks(ctx, owner.User.MerchantID); err != nil || len(cs) != 0 {
			t.Fatalf("refused invitations left clerks %v, %v", cs, err)
		}

		clerk, tok, err := svc.InviteClerk(ctx, users.Invite{MerchantID: owner.User.MerchantID, Email: "Sam@Maple.example", StoreIDs: []string{mine, mine}, Actor: owner.User.ID})
		if err != nil || clerk.Role != users.RoleClerk || clerk.Verified() || len(clerk.Stores) != 1 {
			t.Fatalf("InviteClerk = %+v, %v", clerk, err)
		}
		if _, err := svc.LogIn(ctx, "sam@maple.example", pw, "192.0.2.1"); err == nil {
			t.Fatal("an invited clerk signed in before choosing a password")
		}
		if _, err := svc.Verify(ctx, tok, "k", "192.0.2.1"); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("Verify(invitation) = %v, want resource_missing", err)
		}
		// The owner's own verification link is no invitation.
		if _, err := svc.AcceptInvite(ctx, owner.VerifyToken, pw); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("AcceptInvite(a merchant's verification link) = %v, want resource_missing", err)
		}
		if _, err := svc.AcceptInvite(ctx, tok, pw); err != nil {
			t.Fatalf("AcceptInvite = %v", err)
		}
		if _, err := svc.AcceptInvite(ctx, tok, pw); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("AcceptInvite twice = %v, want resource_missing", err)
		}
		res, err := svc.LogIn(ctx, "sam@maple.example", pw, "192.0.2.1")
		if err != nil || !res.User.SellsAt(mine) || res.User.SellsAt(theirs) {
			t.Fatalf("clerk LogIn = %+v, %v; want a clerk of its store only", res.User, err)
		}

		if err := svc.RemoveClerk(ctx, rival.User.MerchantID, clerk.ID, rival.User.ID, ""); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("another merchant's RemoveClerk = %v, want resource_missing", err)
		}
		if err := svc.RemoveClerk(ctx, owner.User.MerchantID, owner.User.ID, owner.User.ID, ""); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("RemoveClerk(a developer login) = %v, want resource_missing", err)
		}
		if err := svc.RemoveClerk(ctx, owner.User.MerchantID, clerk.ID, owner.User.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Control.PortalUser(ctx, clerk.ID); openflex.ErrorCode(err) != openflex.CodeResourceMissing {
			t.Fatalf("removed clerk still there: %v", err)
		}
	})
}
