package localstack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
)

// shared is the one emulator of a test binary, started by the first [Shared]
// call and stopped by [Main]. It is the package's only package-level state:
// a test binary has exactly one TestMain, and tests reach the emulator
// through Shared without having a value to pass around.
var shared sharedEmulator

type sharedEmulator struct {
	mu      sync.Mutex
	opts    []Option
	started bool
	em      *Emulator
	err     error
}

func (s *sharedEmulator) get() (*Emulator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.em, s.err = Start(context.Background(), s.opts...)
		if s.err == nil && s.em.Embedded() {
			// Once per test binary, so a failing run shows which moto and
			// which patches it ran on.
			fmt.Fprintf(os.Stderr, "localstack: embedded emulator at %s: %s\n", s.em.Endpoint(), s.em.Moto())
		}
	}
	return s.em, s.err
}

func (s *sharedEmulator) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.em == nil {
		return nil
	}
	return s.em.Close()
}

// Main runs the tests of a package that uses [Shared]; call it from TestMain:
//
//	func TestMain(m *testing.M) { localstack.Main(m) }
//
// The emulator is started lazily by the first Shared call, with opts, so a
// run that selects no integration test starts nothing; Main stops it after
// the tests and exits with their status. Main never returns.
func Main(m *testing.M, opts ...Option) {
	shared.mu.Lock()
	shared.opts = opts
	shared.mu.Unlock()
	code := m.Run()
	if err := shared.close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Shared returns the test binary's emulator, starting it on first use (see
// [Main] for how it is stopped). Tests may call it concurrently and from
// parallel tests; they share one emulator, so each test should use its own
// resource names. When the emulator cannot be used, Shared ends the test: it
// skips with an install hint when Python or moto is missing, except under
// CI=true where a missing emulator is a failure; any other start error and an
// emulator that has died fail the test.
func Shared(tb testing.TB) *Emulator {
	tb.Helper()
	em, err := shared.get()
	if err != nil {
		if errors.Is(err, ErrUnavailable) && !underCI() {
			tb.Skipf("skipping integration test: %v", err)
		}
		tb.Fatalf("localstack: shared emulator: %v", err)
	}
	if err := em.Err(); err != nil {
		tb.Fatalf("localstack: the shared emulator died: %v", err)
	}
	return em
}

// underCI reports whether CI is set to a true value, as CI systems do.
func underCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}
