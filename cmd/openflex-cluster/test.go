package main

import (
	"context"
	"errors"
	"io"
)

type testOptions struct {
	Dir, Openflex, Bench, JSON string
	Nodes                      int
	Long                       bool
	Log                        io.Writer
}

func test(ctx context.Context, o testOptions, stdout io.Writer) error { return errors.New("todo") }
