package settlement

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/openflex/openflex"
)

// Day is the business date ("YYYY-MM-DD") of t in loc.
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// Boundary is the cut of business date date in loc: the midnight that
// ends it (23 or 25 hours after the one that starts it around DST
// changes).
func Boundary(date string, loc *time.Location) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		panic("settlement: bad business date " + date)
	}
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
}

// NextDay is the date after date.
func NextDay(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic("settlement: bad business date " + date)
	}
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}

// ValidDate reports whether s is a YYYY-MM-DD date.
func ValidDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// ID is the settlement identifier of merchantID's business date in env:
// the same before the cut (while the day is open) and after, so a merchant
// can follow today's settlement by id. Like every id it sorts by time (its
// timestamp is the date's midnight UTC); the rest is a hash of the
// environment, merchant and date, so one environment's settlement id is
// unknown to the other (404 there, as every other id). PRODUCTION's hash
// is the one ids had before environments entered it, so no stored id
// changes.
func ID(env openflex.Environment, merchantID, date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic("settlement: bad business date " + date)
	}
	seed := merchantID + "\x00" + date
	if env != openflex.Production {
		seed = string(env) + "\x00" + seed
	}
	sum := sha256.Sum256([]byte(seed))
	var b [16]byte
	copy(b[6:], sum[:10])
	ms := uint64(d.UnixMilli())
	binary.BigEndian.PutUint64(b[:8], ms<<16|uint64(binary.BigEndian.Uint16(b[6:8])))
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return openflex.PrefixSettlement + "_" + string(out[:])
}

// DateOfID is the business date an id made by ID names ("" when id is not
// a settlement id).
func DateOfID(id string) string {
	if !openflex.HasPrefix(id, openflex.PrefixSettlement) {
		return ""
	}
	var hi, lo uint64
	for _, c := range id[len(openflex.PrefixSettlement)+1:] {
		v := uint64(0)
		for i := 0; i < len(crockford); i++ {
			if rune(crockford[i]) == c {
				v = uint64(i)
			}
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | v
	}
	ms := int64(hi >> 16)
	return time.UnixMilli(ms).UTC().Format(time.DateOnly)
}
