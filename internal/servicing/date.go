package servicing

import (
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

// Date is a civil date (no time of day, no zone): the day a posting
// belongs to, a statement day, a due date. The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// D is shorthand for Date{y, m, d}; the date is normalised, so D(2025, 2,
// 29) is 2025-03-01.
func D(y int, m time.Month, d int) Date {
	return dateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return dateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// noon is d at noon UTC: a time on d whatever the arithmetic, since no
// day is shorter than 12 hours either side.
func (d Date) noon() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// AddDays returns d moved n days (n may be negative).
func (d Date) AddDays(n int) Date { return dateOf(d.noon().AddDate(0, 0, n)) }

// AddMonths returns d moved n months, on the same day of the month or the
// month's last day when it has fewer days: 2025-01-31 plus one month is
// 2025-02-28, not March 3.
func (d Date) AddMonths(n int) Date {
	first := D(d.Year, d.Month+time.Month(n), 1)
	return Date{first.Year, first.Month, min(d.Day, daysIn(first.Year, first.Month))}
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.ordinal() < e.ordinal() }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.ordinal() > e.ordinal() }

// DaysUntil is the number of days from d to e: 1 for the next day, 0 for
// the same day, negative when e is earlier.
func (d Date) DaysUntil(e Date) int { return int(e.ordinal() - d.ordinal()) }

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday { return d.noon().Weekday() }

// ordinal is the number of days since 1970-01-01.
func (d Date) ordinal() int64 { return d.noon().Unix() / 86400 }

// daysIn is the number of days of month m of year y.
func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day() }

// Location is the time zone a province's accounts are serviced in: the
// province's own zone ([openflex.Province.Location]), cached there.
func Location(p openflex.Province) (*time.Location, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("servicing: %q is not a province or territory", p)
	}
	return openflex.LoadZone(p.TimeZone())
}

// DayOf is the civil date of instant t in loc (an account's province's
// zone, from [Location]).
func DayOf(t time.Time, loc *time.Location) Date { return dateOf(t.In(loc)) }

// DayBounds returns the instants d starts and ends in loc: [start, end).
// A day is 23 or 25 hours long across a DST change, so the engine must
// not add 24 hours to find the next day.
func DayBounds(d Date, loc *time.Location) (start, end time.Time) {
	start = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	next := d.AddDays(1)
	end = time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, loc)
	return start, end
}

// MarshalText writes d as YYYY-MM-DD ("" for the zero Date), so a Date is
// a JSON string and a JSON object key.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
