package openflex

// Province is a Canadian province or territory code.
type Province string

// provinces maps each code to its time zone (the most populous one) and the
// first letters its postal codes may start with.
var provinces = map[Province]struct {
	TimeZone      string
	PostalLetters string
	AgeOfMajority int
}{
	"AB": {"America/Edmonton", "T", 18},
	"BC": {"America/Vancouver", "V", 19},
	"MB": {"America/Winnipeg", "R", 18},
	"NB": {"America/Moncton", "E", 19},
	"NL": {"America/St_Johns", "A", 19},
	"NS": {"America/Halifax", "B", 19},
	"NT": {"America/Yellowknife", "X", 19},
	"NU": {"America/Iqaluit", "X", 19},
	"ON": {"America/Toronto", "KLMNP", 18},
	"PE": {"America/Halifax", "C", 18},
	"QC": {"America/Toronto", "GHJ", 18},
	"SK": {"America/Regina", "S", 18},
	"YT": {"America/Whitehorse", "Y", 19},
}

// Valid reports whether p is one of the 13 provinces and territories.
func (p Province) Valid() bool { _, ok := provinces[p]; return ok }

// TimeZone is the IANA zone a store in p uses unless told otherwise.
func (p Province) TimeZone() string { return provinces[p].TimeZone }

// AgeOfMajority is the age at which a resident of p may contract credit.
func (p Province) AgeOfMajority() int { return provinces[p].AgeOfMajority }

// PostalLetters lists the letters p's postal codes may begin with.
func (p Province) PostalLetters() string { return provinces[p].PostalLetters }
