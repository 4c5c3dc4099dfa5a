package sqlstore

import "context"

// ExecControl runs a statement on the control plane, for tests that set up
// what older versions left behind.
func ExecControl(ctx context.Context, s *Stores, query string, args ...any) error {
	return s.Control.Write(ctx, func(ctx context.Context) error {
		_, err := s.Control.q(ctx).ExecContext(ctx, query, args...)
		return err
	})
}

// LegacyPlanCount counts the plans left in the control plane.
func LegacyPlanCount(ctx context.Context, s *Stores) (n int, err error) {
	err = s.Control.q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM plans`).Scan(&n)
	return n, err
}

// ExecLater queues a statement in the write transaction ctx carries.
func ExecLater(ctx context.Context, db *DB, what, query string, args ...any) error {
	return db.execLater(ctx, what, query, args...)
}
