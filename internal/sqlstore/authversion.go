package sqlstore

import (
	"context"
	"fmt"
)

// AuthVersion returns the control plane's authentication version, which
// every change that can make a cached authentication answer wrong moves
// (keys/cache.go). It is one primary-key read: the nodes' watchers make
// it a few times a second each, whatever the load.
func (c Control) AuthVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := c.q(ctx).QueryRowContext(ctx, `SELECT version FROM auth_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read auth version: %w", err)
	}
	return v, nil
}

// bumpAuthVersion moves the authentication version in the write
// transaction of the change that calls it, so no node can see the change
// without the new version, nor the new version without the change.
func (c Control) bumpAuthVersion(ctx context.Context) error {
	if !c.InTx(ctx) {
		return fmt.Errorf("bump auth version: not in a write transaction")
	}
	if _, err := c.q(ctx).ExecContext(ctx, `UPDATE auth_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump auth version: %w", err)
	}
	return nil
}
