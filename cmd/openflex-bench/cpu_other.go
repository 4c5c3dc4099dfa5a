//go:build !unix

package main

// processCPUSeconds is not measured on this system.
func processCPUSeconds() (float64, bool) { return 0, false }
