package sqlstore

import (
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
)

// version is a migration file's goose version (its numeric prefix).
var version = regexp.MustCompile(`^(\d+)_[a-z0-9_]+(\.(sqlite|postgres))?\.sql$`)

// TestMigrationsOneSource holds the layout migrations/README.md describes:
// one directory per plane, no per-engine copies, and every version that is
// written per dialect written for both, so the engines cannot drift.
func TestMigrationsOneSource(t *testing.T) {
	for _, old := range []string{"migrations/sqlite", "migrations/postgres"} {
		if _, err := os.Stat(old); err == nil {
			t.Errorf("%s exists: migrations are written once, in migrations/control and migrations/data", old)
		}
	}
	for _, plane := range []Plane{ControlPlane, DataPlane} {
		dir := "migrations/" + string(plane)
		entries, err := fs.ReadDir(migrations, dir)
		if err != nil {
			t.Fatal(err)
		}
		perDialect := map[string]map[Dialect]bool{}
		shared := map[string]string{}
		for _, e := range entries {
			m := version.FindStringSubmatch(e.Name())
			if m == nil {
				t.Errorf("%s/%s: want NNNNN_name.sql (or .sqlite.sql / .postgres.sql)", dir, e.Name())
				continue
			}
			v := m[1]
			if m[3] == "" {
				if prev, dup := shared[v]; dup {
					t.Errorf("%s: version %s twice (%s, %s)", dir, v, prev, e.Name())
				}
				shared[v] = e.Name()
				body, _ := fs.ReadFile(migrations, path.Join(dir, e.Name()))
				if strings.Contains(strings.ToUpper(string(body)), "BYTEA") {
					t.Errorf("%s/%s says BYTEA: shared files say BLOB, PostgreSQL reads BYTEA", dir, e.Name())
				}
				continue
			}
			if perDialect[v] == nil {
				perDialect[v] = map[Dialect]bool{}
			}
			perDialect[v][Dialect(m[3])] = true
		}
		for v, ds := range perDialect {
			if _, both := shared[v]; both {
				t.Errorf("%s: version %s is both shared and per dialect", dir, v)
			}
			if !ds[SQLite] || !ds[Postgres] {
				t.Errorf("%s: version %s is written for %v only; write it for both engines", dir, v, ds)
			}
		}
	}
}

// TestMigrationFSPerDialect shows what each engine runs: the same versions,
// BLOB spelled BYTEA for PostgreSQL only.
func TestMigrationFSPerDialect(t *testing.T) {
	for _, plane := range []Plane{ControlPlane, DataPlane} {
		lite, err := migrationFS(SQLite, plane)
		if err != nil {
			t.Fatal(err)
		}
		pg, err := migrationFS(Postgres, plane)
		if err != nil {
			t.Fatal(err)
		}
		liteFiles, _ := fs.Glob(lite, "*.sql")
		pgFiles, _ := fs.Glob(pg, "*.sql")
		if len(liteFiles) == 0 || len(liteFiles) != len(pgFiles) {
			t.Fatalf("%s: sqlite runs %v, postgres runs %v", plane, liteFiles, pgFiles)
		}
		for i, name := range liteFiles {
			if version.FindStringSubmatch(name)[1] != version.FindStringSubmatch(pgFiles[i])[1] {
				t.Errorf("%s: sqlite runs %s where postgres runs %s", plane, name, pgFiles[i])
			}
			l, _ := fs.ReadFile(lite, name)
			p, _ := fs.ReadFile(pg, pgFiles[i])
			if strings.Contains(string(l), "BYTEA") || strings.Contains(string(p), "BLOB") {
				t.Errorf("%s/%s: BLOB/BYTEA spelled for the wrong engine", plane, name)
			}
		}
	}
}
