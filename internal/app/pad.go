package app

import (
	"context"

	"github.com/openflex/openflex/internal/pad"
	"github.com/openflex/openflex/internal/servicing/engine"
)

// servicingThenDebits is the servicing job of one environment: the days
// that ended (statements among them), then the debits those statements
// call for under customers' PAD agreements, with their notices.
type servicingThenDebits struct {
	engine *engine.Service
	pad    *pad.Service
}

func (s servicingThenDebits) RunDue(ctx context.Context) (int, error) {
	n, err := s.engine.RunDue(ctx)
	if err != nil {
		return n, err
	}
	_, err = s.pad.Schedule(ctx)
	return n, err
}
