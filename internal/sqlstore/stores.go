package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pii"
)

// Config says where the planes live.
type Config struct {
	// DataDir holds control.db, training.db and production.db when no
	// database URL is given.
	DataDir string
	// DatabaseURL puts every plane on PostgreSQL, each in its own schema.
	DatabaseURL string
	// TrainingDatabaseURL and ProductionDatabaseURL move one data plane to
	// another PostgreSQL database (or server).
	TrainingDatabaseURL   string
	ProductionDatabaseURL string
	// SchemaPrefix names the PostgreSQL schemas (default "openflex"):
	// <prefix>_control, <prefix>_training, <prefix>_production.
	SchemaPrefix string
	// GroupCommit turns on SQLite group commit for every plane, TRAINING
	// included. By default it is on for the planes that fsync every commit
	// (synchronous=FULL: control and PRODUCTION), where it saves most.
	GroupCommit bool
	// NoGroupCommit turns SQLite group commit off for every plane.
	NoGroupCommit bool
	// PIIKey (≥ 32 bytes) derives the keys that seal and index personal
	// data in the data planes.
	PIIKey []byte
}

// Stores is every plane, migrated and ready.
type Stores struct {
	Control Control
	data    map[openflex.Environment]*DB
}

// Data returns the data plane of env. Handing a request exactly one of these
// is how environments are isolated.
func (s *Stores) Data(env openflex.Environment) *DB { return s.data[env] }

// Open opens and migrates every plane.
func Open(ctx context.Context, cfg Config) (_ *Stores, err error) {
	s := &Stores{data: map[openflex.Environment]*DB{}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if len(cfg.PIIKey) < 32 {
		return nil, errors.New("no personal-data key: set Config.PIIKey (32+ bytes)")
	}
	vault, err := pii.NewVault(cfg.PIIKey)
	if err != nil {
		return nil, err
	}
	prefix := cfg.SchemaPrefix
	if prefix == "" {
		prefix = "openflex"
	}
	open := func(name, url string, sync string) (*DB, error) {
		if url != "" {
			return OpenPostgres(ctx, url, prefix+"_"+name)
		}
		if cfg.DataDir == "" {
			return nil, errors.New("no data directory and no database url")
		}
		if err := PrivateDir(cfg.DataDir); err != nil {
			return nil, err
		}
		group := !cfg.NoGroupCommit && (cfg.GroupCommit || sync == "FULL")
		return OpenSQLite(filepath.Join(cfg.DataDir, name+".db"), SQLiteOptions{Synchronous: sync, GroupCommit: group})
	}
	pick := func(specific string) string {
		if specific != "" {
			return specific
		}
		return cfg.DatabaseURL
	}
	db, err := open("control", cfg.DatabaseURL, "FULL")
	if err != nil {
		return nil, err
	}
	db.Vault = vault
	s.Control = Control{db}
	if err := db.Migrate(ctx, ControlPlane); err != nil {
		return nil, err
	}
	// TRAINING is scrubbed anyway; PRODUCTION must survive a power cut.
	for env, u := range map[openflex.Environment][2]string{
		openflex.Training:   {pick(cfg.TrainingDatabaseURL), "NORMAL"},
		openflex.Production: {pick(cfg.ProductionDatabaseURL), "FULL"},
	} {
		db, err := open(string(env), u[0], u[1])
		if err != nil {
			return nil, err
		}
		db.Vault = vault
		s.data[env] = db
		if err := db.Migrate(ctx, DataPlane); err != nil {
			return nil, fmt.Errorf("%s: %w", env, err)
		}
	}
	if err := s.movePlans(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Ping checks every plane.
func (s *Stores) Ping(ctx context.Context) error {
	if err := s.Control.Ping(ctx); err != nil {
		return fmt.Errorf("control: %w", err)
	}
	for env, db := range s.data {
		if err := db.Ping(ctx); err != nil {
			return fmt.Errorf("%s: %w", env, err)
		}
	}
	return nil
}

// Close closes every plane.
func (s *Stores) Close() error {
	var errs []error
	if s.Control.DB != nil {
		errs = append(errs, s.Control.Close())
	}
	for _, db := range s.data {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}

// Store is merchantID's store id (stores are the merchant's physical
// locations, shared by both environments).
func (s *Stores) Store(ctx context.Context, merchantID, id string) (*openflex.Store, error) {
	return s.Control.Store(ctx, merchantID, id)
}

// SetPlanMerchantFee sets the merchant fee of merchantID's plan id of env.
func (s *Stores) SetPlanMerchantFee(ctx context.Context, env openflex.Environment, merchantID, id string, f openflex.MerchantFee) (*openflex.Plan, error) {
	db := s.data[env]
	if db == nil {
		return nil, fmt.Errorf("plan fee: no data plane %q", env)
	}
	return db.SetPlanMerchantFee(ctx, merchantID, id, f)
}

// Plans are merchantID's financing plans of env.
func (s *Stores) Plans(ctx context.Context, env openflex.Environment, merchantID string) ([]*openflex.Plan, error) {
	db := s.data[env]
	if db == nil {
		return nil, fmt.Errorf("plans: no data plane %q", env)
	}
	return db.Plans(ctx, merchantID)
}
