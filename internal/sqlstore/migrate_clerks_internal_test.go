package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestClerksMigrationKeepsSignedInUsers: 00046 rebuilds portal_users on
// SQLite (a CHECK cannot be altered there). Rebuilt with foreign keys on,
// dropping the old table would cascade to every session, email link and
// log-in failure; the users must stay signed in, and the new role must be
// accepted.
func TestClerksMigrationKeepsSignedInUsers(t *testing.T) {
	ctx := context.Background()
	db, err := OpenSQLite(filepath.Join(t.TempDir(), "control.db"), SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sub, err := migrationFS(SQLite, ControlPlane)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.w, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 45); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO merchants (id, name, email, created) VALUES ('mer_1', 'Maple', 'dev@maple.example', 1)`,
		`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_1', 'mer_1', 'merchant', 'dev@maple.example', 'x', 1)`,
		`INSERT INTO portal_sessions (id, user_id, csrf_secret, created, last_seen, expires_at) VALUES (X'01', 'usr_1', X'02', 1, 1, 2)`,
		`INSERT INTO email_tokens (hash, user_id, purpose, created, expires_at) VALUES (X'03', 'usr_1', 'reset', 1, 2)`,
	} {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var sessions, tokens int
	if err := db.w.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM portal_sessions), (SELECT COUNT(*) FROM email_tokens)`).Scan(&sessions, &tokens); err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || tokens != 1 {
		t.Fatalf("after 00046: %d sessions and %d email tokens, want 1 and 1", sessions, tokens)
	}
	var fk int
	if err := db.w.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys after the migration = %d, %v; want on", fk, err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_2', 'mer_1', 'clerk', 'sam@maple.example', 'x', 1)`); err != nil {
		t.Fatalf("a clerk after 00046: %v", err)
	}
	for _, bad := range []string{
		`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_3', 'mer_1', 'boss', 'boss@maple.example', 'x', 1)`,
		`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_3', NULL, 'clerk', 'lone@maple.example', 'x', 1)`,
		`INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_3', 'mer_1', 'agent', 'desk@lender.example', 'x', 1)`,
	} {
		if _, err := db.w.ExecContext(ctx, bad); err == nil {
			t.Fatalf("accepted: %s", bad)
		}
	}
	// The desk's agents (00045) are lender staff, without a merchant.
	if _, err := db.w.ExecContext(ctx, `INSERT INTO portal_users (id, merchant_id, role, email, password_hash, created) VALUES ('usr_4', NULL, 'agent', 'desk@lender.example', 'x', 1)`); err != nil {
		t.Fatalf("an agent after 00046: %v", err)
	}
	// Deleting a user still cascades (the references follow the rebuilt table).
	if _, err := db.w.ExecContext(ctx, `DELETE FROM portal_users WHERE id = 'usr_1'`); err != nil {
		t.Fatal(err)
	}
	if err := db.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM portal_sessions`).Scan(&sessions); err != nil || sessions != 0 {
		t.Fatalf("sessions after deleting their user = %d, %v; want 0", sessions, err)
	}
}
