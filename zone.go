package openflex

import (
	"fmt"
	"sync"
	"time"

	// The zone database travels in the binary: a minimal image without
	// /usr/share/zoneinfo must still count business days, ages and
	// settlement cut-offs in Canadian time, never silently in UTC.
	_ "time/tzdata"
)

// HomeZone is the lender's zone: where a store with neither a usable zone
// nor a known province counts its days.
const HomeZone = "America/Toronto"

var zones sync.Map // name → *time.Location

// LoadZone returns the IANA zone name, loaded once per process. The empty
// name is an error, not UTC, and "Local" is an error, not the host's zone
// (time.LoadLocation's readings of them): a day must not depend on how a
// server is set up.
func LoadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q: not an IANA zone name", name)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	zones.Store(name, l)
	return l, nil
}

// Location is the zone a customer or store in p lives by; an unknown
// province lives by HomeZone.
func (p Province) Location() *time.Location {
	if l, err := LoadZone(p.TimeZone()); err == nil {
		return l
	}
	return homeZone()
}

// Location is the zone the store counts its business days in: its own,
// else its province's, else HomeZone. It is never UTC unless a store's
// own zone says so: a store saved with a zone this build does not know
// still closes its day at its province's midnight.
func (s *Store) Location() *time.Location {
	if l, err := LoadZone(s.TimeZone); err == nil {
		return l
	}
	return s.Province.Location()
}

func homeZone() *time.Location {
	l, err := LoadZone(HomeZone)
	if err != nil {
		panic("openflex: the embedded zone database lacks " + HomeZone) // cannot happen with time/tzdata
	}
	return l
}

// HomeLocation is HomeZone's location.
func HomeLocation() *time.Location { return homeZone() }
