package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckpointsLeaveTheWriter: the writer never checkpoints
// (wal_autocheckpoint=0), so the rows written reach the database file only
// through the background checkpointer; were it missing, the file would
// stay at its first size and the WAL would grow for ever.
func TestCheckpointsLeaveTheWriter(t *testing.T) {
	for _, group := range []bool{false, true} {
		t.Run(map[bool]string{false: "single-writes", true: "group-commit"}[group], func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "ck.db")
			db, err := OpenSQLite(path, SQLiteOptions{GroupCommit: group})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var auto int
			if err := db.Write(ctx, func(ctx context.Context) error {
				return db.q(ctx).QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto)
			}); err != nil || auto != 0 {
				t.Fatalf("writer's wal_autocheckpoint = %d (%v), want 0", auto, err)
			}
			if err := db.Write(ctx, func(ctx context.Context) error {
				_, err := db.q(ctx).ExecContext(ctx, `CREATE TABLE t (v TEXT)`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			before := fileSize(t, path)
			row := strings.Repeat("x", 3000) // most of a page each
			for i := 0; i < 2000; i++ {      // far past the 1,000 pages of SQLite's own checkpoint
				if err := db.Write(ctx, func(ctx context.Context) error {
					_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO t (v) VALUES ($1)`, row)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			deadline := time.Now().Add(10 * time.Second)
			for fileSize(t, path) < before+1000*4096 {
				if time.Now().After(deadline) {
					t.Fatalf("database file still %d bytes (was %d): nothing checkpointed the WAL", fileSize(t, path), before)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
