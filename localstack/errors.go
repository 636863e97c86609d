package localstack

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnavailable reports that the embedded emulator cannot run on this machine
// because Python or moto (with its server extras) is missing. [Shared] skips
// a test on it outside CI and fails it under CI=true; any other start error
// always fails.
var ErrUnavailable = errors.New("localstack: embedded emulator unavailable")

// ErrNotEmbedded reports an operation that needs the embedded moto emulator,
// such as [Emulator.RegisterFunction], on an emulator attached through
// AWS_ENDPOINT_URL.
var ErrNotEmbedded = errors.New("localstack: operation needs the embedded emulator")

// installHint says what to install when the embedded emulator is unavailable.
const installHint = `install Python 3 and the pinned moto (pip install "moto[server]==5.2.1", as ` +
	`localstack/launcher/requirements.txt in the lambdakit repository says; scripts/ensure-moto.sh does it), ` +
	`or point AWS_ENDPOINT_URL at a running LocalStack`

// StartError reports why the embedded emulator did not start. Stderr holds the
// end of the launcher's standard error, which usually names the cause.
type StartError struct {
	// Err is the underlying cause; it wraps ErrUnavailable when Python or moto
	// is missing.
	Err error
	// Stderr is the last part of the launcher's standard error, possibly empty.
	Stderr string
}

func (e *StartError) Error() string {
	var b strings.Builder
	b.WriteString("localstack: start embedded emulator: ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "localstack: "))
	if errors.Is(e.Err, ErrUnavailable) {
		b.WriteString("; " + installHint)
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		b.WriteString("\nlauncher stderr:\n")
		b.WriteString(s)
	}
	return b.String()
}

func (e *StartError) Unwrap() error { return e.Err }

// NotReadyError reports an endpoint that did not become ready before the
// context ended. Missing lists the services a LocalStack health check did not
// report as available; it is empty when the endpoint never answered at all.
type NotReadyError struct {
	Endpoint string
	Missing  []string
	// Err is the last error seen while probing, or the context's error.
	Err error
}

func (e *NotReadyError) Error() string {
	msg := fmt.Sprintf("localstack: endpoint %s not ready", e.Endpoint)
	if len(e.Missing) > 0 {
		msg += fmt.Sprintf(": services not available: %s", strings.Join(e.Missing, ", "))
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *NotReadyError) Unwrap() error { return e.Err }
