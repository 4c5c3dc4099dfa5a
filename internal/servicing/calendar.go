package servicing

import (
	"time"

	"github.com/openflex/openflex"
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ca"
)

// A province's holidays are its general (statutory) holidays, each a
// holiday of the library github.com/rickar/cal/v2 (its ca package's, with
// their weekend substitutes) or, for the provincial ones that package does
// not define, a holiday built with the library's own rules. What is
// written here is only which holiday applies where. A date is a business
// day in a province when it is a weekday and not the observed date of one
// of its holidays.

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
	// Quebec observes Canada Day on July 2 when July 1 is a Sunday.
	canadaDayQC          = ca.CanadaDay.Clone(&cal.Holiday{Observed: []cal.AltDay{{Day: time.Sunday, Offset: 1}}})
	patriotsDay          = ca.VictoriaDay.Clone(&cal.Holiday{Name: "Journée nationale des patriotes"})
	indigenousPeoplesDay = &cal.Holiday{Name: "National Indigenous Peoples Day", Type: cal.ObservancePublic,
		Month: time.June, Day: 21, Func: cal.CalcDayOfMonth}
	nunavutDay = &cal.Holiday{Name: "Nunavut Day", Type: cal.ObservancePublic, Month: time.July, Day: 9, Func: cal.CalcDayOfMonth}
	discovery  = &cal.Holiday{Name: "Discovery Day", Type: cal.ObservancePublic,
		Month: time.August, Weekday: time.Monday, Offset: 3, Func: cal.CalcWeekdayOffset}
	truthAndReconciliation = func(from int) *cal.Holiday {
		return ca.NationalDayForTruthAndReconciliation.Clone(&cal.Holiday{StartYear: from})
	}
)

// provincial lists each province's general holidays.
var provincial = map[openflex.Province][]*cal.Holiday{
	"AB": {ca.NewYear, thirdMondayOfFebruary("Family Day", 1990), ca.GoodFriday, ca.VictoriaDay, ca.CanadaDay,
		ca.LabourDay, ca.ThanksgivingDay, ca.RemembranceDay, ca.ChristmasDay},
	"BC": {ca.NewYear, bcFamilyDay13, thirdMondayOfFebruary("Family Day", 2019), ca.GoodFriday, ca.VictoriaDay, ca.CanadaDay,
		ca.CivicDay.Clone(&cal.Holiday{Name: "British Columbia Day"}), ca.LabourDay, truthAndReconciliation(2023),
		ca.ThanksgivingDay, ca.RemembranceDay, ca.ChristmasDay},
	"MB": {ca.NewYear, thirdMondayOfFebruary("Louis Riel Day", 2008), ca.GoodFriday, ca.VictoriaDay, ca.CanadaDay,
		ca.LabourDay, truthAndReconciliation(2023), ca.ThanksgivingDay, ca.RemembranceDay, ca.ChristmasDay},
	"NB": {ca.NewYear, thirdMondayOfFebruary("Family Day", 2018), ca.GoodFriday, ca.CanadaDay,
		ca.CivicDay.Clone(&cal.Holiday{Name: "New Brunswick Day"}), ca.LabourDay, ca.RemembranceDay, ca.ChristmasDay},
	"NL": {ca.NewYear, ca.GoodFriday, ca.CanadaDay, ca.LabourDay, ca.RemembranceDay, ca.ChristmasDay},
	"NS": {ca.NewYear, thirdMondayOfFebruary("Heritage Day", 2015), ca.GoodFriday, ca.CanadaDay, ca.LabourDay, ca.ChristmasDay},
	"NT": {ca.NewYear, ca.GoodFriday, ca.VictoriaDay, indigenousPeoplesDay, ca.CanadaDay, ca.CivicDay, ca.LabourDay,
		truthAndReconciliation(2022), ca.ThanksgivingDay, ca.RemembranceDay, ca.ChristmasDay},
	"NU": {ca.NewYear, ca.GoodFriday, ca.VictoriaDay, ca.CanadaDay, nunavutDay, ca.CivicDay, ca.LabourDay,
		ca.ThanksgivingDay, ca.RemembranceDay, ca.ChristmasDay},
	"ON": {ca.NewYear, thirdMondayOfFebruary("Family Day", 2008), ca.GoodFriday, ca.VictoriaDay, ca.CanadaDay,
		ca.LabourDay, ca.ThanksgivingDay, ca.ChristmasDay, ca.BoxingDay},
	"PE": {ca.NewYear, thirdMondayOfFebruary("Islander Day", 2009), ca.GoodFriday, ca.CanadaDay, ca.LabourDay,
		truthAndReconciliation(2022), ca.RemembranceDay, ca.ChristmasDay},
	"QC": {ca.NewYear, ca.GoodFriday, patriotsDay, fêteNationale, canadaDayQC, ca.LabourDay, ca.ThanksgivingDay, ca.ChristmasDay},
	"SK": {ca.NewYear, thirdMondayOfFebruary("Family Day", 2007), ca.GoodFriday, ca.VictoriaDay, ca.CanadaDay,
		ca.CivicDay.Clone(&cal.Holiday{Name: "Saskatchewan Day"}), ca.LabourDay, ca.ThanksgivingDay, ca.RemembranceDay, ca.ChristmasDay},
	"YT": {ca.NewYear, ca.GoodFriday, ca.VictoriaDay, indigenousPeoplesDay.Clone(&cal.Holiday{StartYear: 2017}), ca.CanadaDay,
		discovery, ca.LabourDay, truthAndReconciliation(2023), ca.ThanksgivingDay, ca.RemembranceDay, ca.ChristmasDay},
}

// calendars holds one business calendar per province, built once: the
// library's calendars are safe for concurrent reads.
var calendars = func() map[openflex.Province]*cal.BusinessCalendar {
	m := make(map[openflex.Province]*cal.BusinessCalendar, len(provincial))
	for p, extra := range provincial {
		c := cal.NewBusinessCalendar()
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
