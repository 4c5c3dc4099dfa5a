// Package sdktest holds the Go SDK's tests that need a real OpenFlex
// server (apptest, on every engine) or the server's own rules. They live in
// the server's module so that the SDK's module (sdk/go.mod) stays
// standard-library only; the SDK's own directory keeps the tests that need
// nothing else.
package sdktest
