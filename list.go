package openflex

import "time"

// ListParams are the pagination and date filters every list takes.
// Lists are newest first.
type ListParams struct {
	Limit         int
	StartingAfter string
	EndingBefore  string
	CreatedFrom   time.Time
	CreatedTo     time.Time
}

// Default and maximum page sizes of API.md.
const (
	DefaultListLimit = 10
	MaxListLimit     = 100
)

// PageLimit is the effective limit: the default when unset.
func (p ListParams) PageLimit() int {
	if p.Limit <= 0 {
		return DefaultListLimit
	}
	if p.Limit > MaxListLimit {
		return MaxListLimit
	}
	return p.Limit
}
