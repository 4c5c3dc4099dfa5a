package servicing

import (
	"time"

	"github.com/openflex/openflex"
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ca"
)

// The holidays are the library's (github.com/rickar/cal/v2): its ca
// package's national list (the days the payment system and the banks
// close, with their weekend substitutes) in every province, plus the
// provincial statutory holidays that package does not carry, defined with
// the library's own rules. A date is a business day when it is a weekday
// and not the observed date of any of them.

// thirdMondayOfFebruary is Family Day and its namesakes (Louis Riel Day,
// Islander Day, Heritage Day).
func thirdMondayOfFebruary(name string, from int) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, StartYear: from,
		Month: time.February, Weekday: time.Monday, Offset: 3, Func: cal.CalcWeekdayOffset}
}

var (
	bcFamilyDay13 = &cal.Holiday{Name: "Family Day", Type: cal.ObservancePublic, StartYear: 2013, EndYear: 2018,
		Month: time.February, Weekday: time.Monday, Offset: 2, Func: cal.CalcWeekdayOffset}
	fêteNationale = &cal.Holiday{Name: "Fête nationale du Québec (Saint-Jean-Baptiste)", Type: cal.ObservancePublic,
		Month: time.June, Day: 24, Func: cal.CalcDayOfMonth, Observed: []cal.AltDay{{Day: time.Sunday, Offset: 1}}}
	indigenousPeoplesDay = &cal.Holiday{Name: "National Indigenous Peoples Day", Type: cal.ObservancePublic,
		Month: time.June, Day: 21, Func: cal.CalcDayOfMonth}
	nunavutDay = &cal.Holiday{Name: "Nunavut Day", Type: cal.ObservancePublic, Month: time.July, Day: 9, Func: cal.CalcDayOfMonth}
	discovery  = &cal.Holiday{Name: "Discovery Day", Type: cal.ObservancePublic,
		Month: time.August, Weekday: time.Monday, Offset: 3, Func: cal.CalcWeekdayOffset}
)

// provincial lists each province's statutory holidays beyond the national
// list.
var provincial = map[openflex.Province][]*cal.Holiday{
	"AB": {thirdMondayOfFebruary("Family Day", 1990)},
	"BC": {bcFamilyDay13, thirdMondayOfFebruary("Family Day", 2019)},
	"MB": {thirdMondayOfFebruary("Louis Riel Day", 2008)},
	"NB": {thirdMondayOfFebruary("Family Day", 2018)},
	"NL": nil,
	"NS": {thirdMondayOfFebruary("Heritage Day", 2015)},
	"NT": {indigenousPeoplesDay},
	"NU": {nunavutDay},
	"ON": {thirdMondayOfFebruary("Family Day", 2008)},
	"PE": {thirdMondayOfFebruary("Islander Day", 2009)},
	"QC": {fêteNationale},
	"SK": {thirdMondayOfFebruary("Family Day", 2007)},
	"YT": {indigenousPeoplesDay.Clone(&cal.Holiday{StartYear: 2017}), discovery},
}

// calendars holds one business calendar per province, built once: the
// library's calendars are safe for concurrent reads.
var calendars = func() map[openflex.Province]*cal.BusinessCalendar {
	m := make(map[openflex.Province]*cal.BusinessCalendar, len(provincial))
	for p, extra := range provincial {
		c := cal.NewBusinessCalendar()
		c.AddHoliday(ca.Holidays...)
		c.AddHoliday(extra...)
		m[p] = c
	}
	return m
}()

// Holiday returns the name of the statutory holiday observed on d in
// province p, or "" when there is none.
func Holiday(p openflex.Province, d Date) string {
	c := calendars[p]
	if c == nil {
		c = calendars["ON"]
	}
	_, observed, h := c.IsHoliday(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, cal.DefaultLoc))
	if !observed || h == nil {
		return ""
	}
	return h.Name
}

// IsBusinessDay reports whether d is a weekday that is not a statutory
// holiday observed in province p.
func IsBusinessDay(p openflex.Province, d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return Holiday(p, d) == ""
}

// NextBusinessDay returns d when it is a business day in p, else the first
// business day after it.
func NextBusinessDay(p openflex.Province, d Date) Date {
	for !IsBusinessDay(p, d) {
		d = d.AddDays(1)
	}
	return d
}

// DueDate is the due date of a statement whose cycle ends on cycleEnd: at
// least days days later (never fewer than [MinDueDays]), moved to the
// next business day in p.
func DueDate(p openflex.Province, cycleEnd Date, days int) Date {
	return NextBusinessDay(p, cycleEnd.AddDays(max(days, MinDueDays)))
}
