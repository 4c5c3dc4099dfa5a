package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// Plane is which schema a DB holds.
type Plane string

// The planes: one control plane, one data plane per environment.
const (
	ControlPlane Plane = "control"
	DataPlane    Plane = "data"
)

// Migrate applies every pending migration of plane for db's dialect.
func (db *DB) Migrate(ctx context.Context, plane Plane) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect)+"/"+string(plane))
	if err != nil {
		return err
	}
	dialect, opts := goose.DialectSQLite3, []goose.ProviderOption(nil)
	if db.Dialect == Postgres {
		// Several nodes may start at once: an advisory lock lets one migrate.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		dialect, opts = goose.DialectPostgres, append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.w, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", plane, err)
	}
	return nil
}
