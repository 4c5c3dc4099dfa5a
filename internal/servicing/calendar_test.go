package servicing_test

import (
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/servicing"
)

// Due dates are at least 21 days after the cycle ends, moved to the next
// business day of the account's province.
func TestDueDateHolidays(t *testing.T) {
	tests := []struct {
		name     string
		province openflex.Province
		cycleEnd servicing.Date
		want     servicing.Date
	}{
		{"21 days on a weekday", "ON", d(2025, 3, 31), d(2025, 4, 21)}, // Easter Monday is no general holiday in Ontario
		{"Easter Monday is none in Quebec either", "QC", d(2025, 3, 31), d(2025, 4, 21)},
		{"a Saturday moves to Monday", "ON", d(2026, 1, 10), d(2026, 2, 2)},
		{"Canada Day", "ON", d(2026, 6, 10), d(2026, 7, 2)},
		{"Canada Day in Quebec", "QC", d(2026, 6, 10), d(2026, 7, 2)},
		{"Canada Day on a Sunday is observed Monday", "ON", d(2029, 6, 10), d(2029, 7, 3)},
		{"Saint-Jean-Baptiste in Quebec", "QC", d(2026, 6, 3), d(2026, 6, 25)},
		{"Saint-Jean-Baptiste is a business day in Ontario", "ON", d(2026, 6, 3), d(2026, 6, 24)},
		{"Family Day in Ontario", "ON", d(2026, 1, 26), d(2026, 2, 17)},
		{"Family Day in British Columbia", "BC", d(2026, 1, 26), d(2026, 2, 17)},
		{"Louis Riel Day in Manitoba", "MB", d(2026, 1, 26), d(2026, 2, 17)},
		{"Islander Day in Prince Edward Island", "PE", d(2026, 1, 26), d(2026, 2, 17)},
		{"no Family Day in Quebec", "QC", d(2026, 1, 26), d(2026, 2, 16)},
		{"no Family Day in Newfoundland and Labrador", "NL", d(2026, 1, 26), d(2026, 2, 16)},
		{"British Columbia's Family Day was the second Monday in 2018", "BC", d(2018, 1, 22), d(2018, 2, 13)},
		{"Christmas on Friday, Boxing Day observed Monday in Ontario", "ON", d(2026, 12, 4), d(2026, 12, 29)},
		{"no Boxing Day in Quebec", "QC", d(2026, 12, 4), d(2026, 12, 28)},
		{"Civic Holiday in Saskatchewan", "SK", d(2026, 7, 13), d(2026, 8, 4)},
		{"no Civic Holiday in Quebec", "QC", d(2026, 7, 13), d(2026, 8, 3)},
		{"Truth and Reconciliation in British Columbia", "BC", d(2026, 9, 9), d(2026, 10, 1)},
		{"Remembrance Day in Alberta", "AB", d(2026, 10, 21), d(2026, 11, 12)},
		{"no Remembrance Day in Ontario", "ON", d(2026, 10, 21), d(2026, 11, 11)},
		{"New Year's Day observed on Monday", "ON", d(2027, 12, 12), d(2028, 1, 4)}, // 2028-01-02 is a Sunday, observed 01-03
		{"Nunavut Day", "NU", d(2026, 6, 18), d(2026, 7, 10)},
		{"National Indigenous Peoples Day in the Northwest Territories", "NT", d(2027, 5, 31), d(2027, 6, 22)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := servicing.DueDate(tt.province, tt.cycleEnd, 21)
			if got != tt.want {
				t.Errorf("DueDate(%s, %s, 21) = %s (%s), want %s (%s)", tt.province, tt.cycleEnd, got, got.Weekday(), tt.want, tt.want.Weekday())
			}
			if n := tt.cycleEnd.DaysUntil(got); n < servicing.MinDueDays {
				t.Errorf("due %d days after the cycle, want at least %d", n, servicing.MinDueDays)
			}
		})
	}
	// A lender cannot shorten the grace below 21 days.
	if got := servicing.DueDate("ON", d(2025, 3, 31), 10); got != d(2025, 4, 21) {
		t.Errorf("DueDate with 10 days = %s, want 2025-04-21", got)
	}
}

// DayBounds spans 23 hours on the spring DST change and 25 on the fall one,
// and DayOf maps instants to the province's civil date.
func TestDayBoundsDST(t *testing.T) {
	loc, err := servicing.Location("ON")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		day  servicing.Date
		want time.Duration
	}{
		{d(2026, 3, 8), 23 * time.Hour},
		{d(2026, 11, 1), 25 * time.Hour},
		{d(2028, 2, 29), 24 * time.Hour},
	} {
		start, end := servicing.DayBounds(tt.day, loc)
		if got := end.Sub(start); got != tt.want {
			t.Errorf("DayBounds(%s) spans %v, want %v", tt.day, got, tt.want)
		}
		if servicing.DayOf(start, loc) != tt.day || servicing.DayOf(end.Add(-time.Nanosecond), loc) != tt.day || servicing.DayOf(end, loc) != tt.day.AddDays(1) {
			t.Errorf("DayOf does not map %s's bounds back to it", tt.day)
		}
	}
	// 03:30 UTC on March 1 is still February 29 in Vancouver.
	van, _ := servicing.Location("BC")
	if got := servicing.DayOf(time.Date(2028, 3, 1, 3, 30, 0, 0, time.UTC), van); got != d(2028, 2, 29) {
		t.Errorf("DayOf(2028-03-01T03:30Z, Vancouver) = %s, want 2028-02-29", got)
	}
	if _, err := servicing.Location("ZZ"); err == nil {
		t.Error("Location(ZZ) = nil error")
	}
}

func TestHolidayNames(t *testing.T) {
	if got := servicing.Holiday("QC", d(2026, 6, 24)); got == "" {
		t.Error("Holiday(QC, 2026-06-24) = \"\", want the Fête nationale")
	}
	if got := servicing.Holiday("ON", d(2026, 6, 24)); got != "" {
		t.Errorf("Holiday(ON, 2026-06-24) = %q, want none", got)
	}
	if servicing.IsBusinessDay("ON", d(2026, 7, 1)) || !servicing.IsBusinessDay("ON", d(2026, 7, 2)) {
		t.Error("Canada Day 2026 is a business day, or July 2 is not")
	}
}

func TestAddMonths(t *testing.T) {
	for _, tt := range []struct {
		from servicing.Date
		n    int
		want servicing.Date
	}{
		{d(2025, 1, 15), 12, d(2026, 1, 15)},
		{d(2025, 1, 31), 1, d(2025, 2, 28)},
		{d(2027, 11, 30), 3, d(2028, 2, 29)},
		{d(2028, 2, 29), 12, d(2029, 2, 28)},
		{d(2025, 8, 31), 6, d(2026, 2, 28)},
	} {
		if got := tt.from.AddMonths(tt.n); got != tt.want {
			t.Errorf("%s.AddMonths(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}
