package sqlstore

import (
	"database/sql"
	"time"
)

// Checkpoints (SQLite). Left to itself, SQLite checkpoints the WAL inside
// the COMMIT that takes it past 1,000 pages: the writer copies those pages
// into the database file and fsyncs it while every other write waits for
// it. Measured under load, that was a third of the single writer's time.
// So the writer never checkpoints (wal_autocheckpoint=0) and a connection
// of its own does, in the background: PASSIVE checkpoints take no lock a
// writer or a reader waits on, they copy what no reader still needs. The
// WAL then starts over from its beginning at the next write once it has
// all been copied, as it would have.
//
// Durability is unchanged: a commit is durable when its WAL frames are
// synced (synchronous=FULL), whoever later copies them into the database.

// checkpointEvery is how often the checkpointer looks at the WAL.
const checkpointEvery = 100 * time.Millisecond

// walRestartFrames is the WAL size (4 KiB pages) past which a checkpoint
// waits for the readers that hold it back (RESTART): a reader that never
// lets go must not grow the WAL without bound.
const walRestartFrames = 50_000

func (db *DB) startCheckpointer(ck *sql.DB) {
	db.ck = ck
	db.ckStop = make(chan struct{})
	db.ckDone = make(chan struct{})
	go func() {
		defer close(db.ckDone)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		mode := "PASSIVE"
		for {
			select {
			case <-db.ckStop:
				return
			case <-t.C:
			}
			var busy, logFrames, copied int
			if err := ck.QueryRow("PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logFrames, &copied); err != nil {
				continue // busy or closing: the next tick tries again
			}
			mode = "PASSIVE"
			if logFrames-copied > walRestartFrames {
				mode = "RESTART"
			}
		}
	}()
}

func (db *DB) stopCheckpointer() error {
	if db.ck == nil {
		return nil
	}
	close(db.ckStop)
	<-db.ckDone
	err := db.ck.Close()
	db.ck = nil
	return err
}
