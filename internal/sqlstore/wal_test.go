package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestWALStaysBounded: under a steady stream of writes, with readers
// reading all along as a busy node's are, the WAL keeps starting over
// instead of growing: a checkpoint must copy its frames back and let the
// next write restart the file. (A background checkpointer that raced the
// writer once let it grow by 100 MB a second.)
func TestWALStaysBounded(t *testing.T) {
	for _, group := range []bool{false, true} {
		t.Run(map[bool]string{false: "single-writes", true: "group-commit"}[group], func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "wal.db")
			db, err := OpenSQLite(path, SQLiteOptions{GroupCommit: group})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			write := func(q string, args ...any) {
				t.Helper()
				if err := db.Write(ctx, func(ctx context.Context) error {
					_, err := db.q(ctx).ExecContext(ctx, q, args...)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			write(`CREATE TABLE t (v TEXT)`)
			stop := make(chan struct{})
			var readers sync.WaitGroup
			for range 2 {
				readers.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						var v string
						db.q(ctx).QueryRowContext(ctx, `SELECT v FROM t WHERE rowid = (SELECT MAX(rowid) FROM t)`).Scan(&v)
					}
				})
			}
			row := strings.Repeat("x", 3000) // most of a page each
			const rows = 8_000               // 32 MB of pages written through the WAL
			var most int64
			for i := range rows {
				write(`INSERT INTO t (v) VALUES ($1)`, row)
				if i%500 == 0 {
					if fi, err := os.Stat(path + "-wal"); err == nil {
						most = max(most, fi.Size())
					}
				}
			}
			close(stop)
			readers.Wait()
			if limit := int64(16 << 20); most > limit {
				t.Fatalf("the WAL reached %d MB writing %d pages: it is not starting over", most>>20, rows)
			}
		})
	}
}
