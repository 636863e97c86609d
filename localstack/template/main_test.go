package template_test

import (
	"testing"

	"github.com/lambdakit/lambdakit/localstack"
)

// TestMain gives the test binary one shared emulator.
func TestMain(m *testing.M) { localstack.Main(m) }
