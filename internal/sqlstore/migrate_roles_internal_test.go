package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestStaffRolesMigrationKeepsSessions: on SQLite, 00045 rebuilds
// portal_users to widen its role CHECK. The users, their sessions and
// email tokens (which reference the table with ON DELETE CASCADE) survive
// it, and the new CHECKs admit an agent without a merchant and refuse an
// agent with one or an unknown role.
func TestStaffRolesMigrationKeepsSessions(t *testing.T) {
	ctx := context.Background()
	db, err := OpenSQLite(filepath.Join(t.TempDir(), "control.db"), SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sub, err := migrationFS(SQLite, ControlPlane)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.w, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 44); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO merchants (id, name, email, created) VALUES ('mer_1', 'Maple', 'dev@maple.example', 1)`,
		`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_m', 'mer_1', 'merchant', 'dev@maple.example', 'h', 1)`,
		`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_a', NULL, 'admin', 'ops@lender.example', 'h', 1)`,
		`INSERT INTO portal_sessions (id, user_id, csrf_secret, created, last_seen, expires_at) VALUES (x'01', 'usr_m', x'02', 1, 1, 9)`,
		`INSERT INTO email_tokens (hash, user_id, purpose, created, expires_at) VALUES (x'03', 'usr_a', 'reset', 1, 9)`,
	} {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.w.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if u, s, e := count(`SELECT count(*) FROM portal_users`), count(`SELECT count(*) FROM portal_sessions`), count(`SELECT count(*) FROM email_tokens`); u != 2 || s != 1 || e != 1 {
		t.Fatalf("after 00045: %d users, %d sessions, %d email tokens; want 2, 1, 1", u, s, e)
	}
	if fk := count(`SELECT count(*) FROM pragma_foreign_key_check`); fk != 0 {
		t.Fatalf("%d foreign key violations after 00045", fk)
	}
	if on := count(`PRAGMA foreign_keys`); on != 1 {
		t.Fatal("foreign keys left off after 00045")
	}
	for _, c := range []struct {
		q  string
		ok bool
	}{
		{`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_g', NULL, 'agent', 'agent@lender.example', 'h', 1)`, true},
		{`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_c', 'mer_1', 'clerk', 'clerk@maple.example', 'h', 1)`, true},
		{`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_x', 'mer_1', 'agent', 'x@maple.example', 'h', 1)`, false},
		{`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_y', NULL, 'boss', 'y@lender.example', 'h', 1)`, false},
	} {
		if _, err := db.w.ExecContext(ctx, c.q); (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok = %v", c.q, err, c.ok)
		}
	}
	// A user's deletion still cascades to its sessions: the rebuilt
	// table is the one the references name.
	if _, err := db.w.ExecContext(ctx, `DELETE FROM portal_users WHERE id = 'usr_m'`); err != nil {
		t.Fatal(err)
	}
	if s := count(`SELECT count(*) FROM portal_sessions`); s != 0 {
		t.Fatalf("%d sessions after deleting their user", s)
	}
}
