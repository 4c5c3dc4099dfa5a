package sqlstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one set of migrations per plane, written once for both
// engines (see migrations/README.md).
//
//go:embed migrations/control/*.sql migrations/data/*.sql
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
	sub, err := migrationFS(db.Dialect, plane)
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

// blob matches the one type the engines spell differently in our schemas.
var blob = regexp.MustCompile(`\bBLOB\b`)

// migrationFS returns plane's migrations as dialect runs them: the shared
// files with BLOB spelled BYTEA on PostgreSQL, plus the files written for
// this dialect alone (NNNNN_name.sqlite.sql, NNNNN_name.postgres.sql). A
// version written for one dialect must be written for the other too: the
// engines' schemas never drift apart.
func migrationFS(dialect Dialect, plane Plane) (fs.FS, error) {
	dir := "migrations/" + string(plane)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	files := memFS{}
	for _, e := range entries {
		name := e.Name()
		only, shared := migrationDialect(name)
		if !shared && only != dialect {
			continue
		}
		body, err := fs.ReadFile(migrations, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if shared && dialect == Postgres {
			body = blob.ReplaceAll(body, []byte("BYTEA"))
		}
		files[name] = body
	}
	return files, nil
}

// migrationDialect reports which dialect a migration file is written for,
// and whether it is shared by both.
func migrationDialect(name string) (Dialect, bool) {
	for _, d := range []Dialect{SQLite, Postgres} {
		if strings.HasSuffix(name, "."+string(d)+".sql") {
			return d, false
		}
	}
	return "", true
}

// memFS is a flat, read-only directory of files held in memory: goose reads
// migrations through fs.FS, and the PostgreSQL spelling exists only here.
type memFS map[string][]byte

func (m memFS) Open(name string) (fs.File, error) {
	if name == "." {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		slices.Sort(names)
		return &memDir{fs: m, names: names}, nil
	}
	body, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{info: memInfo{name: name, size: int64(len(body))}, r: strings.NewReader(string(body))}, nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i memInfo) Type() fs.FileMode          { return i.Mode().Type() }
func (i memInfo) Info() (fs.FileInfo, error) { return i, nil }

type memFile struct {
	info memInfo
	r    *strings.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	fs    memFS
	names []string
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{name: ".", dir: true}, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: errors.New("is a directory")}
}
func (d *memDir) Close() error { return nil }

// ReadDir lists the directory in name order (n ≤ 0: all that remain).
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	k := len(d.names)
	if n > 0 && n < k {
		k = n
	}
	if n > 0 && k == 0 {
		return nil, io.EOF
	}
	out := make([]fs.DirEntry, k)
	for i, name := range d.names[:k] {
		out[i] = memInfo{name: name, size: int64(len(d.fs[name]))}
	}
	d.names = d.names[k:]
	return out, nil
}
