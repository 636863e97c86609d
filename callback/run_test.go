package callback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdakit/lambdakit/handler"
)

const tok = "AQB8AAAAKgAAAAMAAAAAAAAAAf2kq1zLtoken-for-tests"

type order struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

// rejected declares its own error name.
type rejected struct{ reason string }

func (e rejected) Error() string     { return "rejected: " + e.reason }
func (e rejected) ErrorName() string { return "OrderRejected" }

type quotaError struct{}

func (*quotaError) Error() string { return "quota exceeded" }

func TestRunSuccess(t *testing.T) {
	f := &fakeSFN{}
	err := Run(context.Background(), f, tok, func(context.Context) (order, error) {
		return order{ID: "o-1", Total: 42}, nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []call{{Op: "SendTaskSuccess", Token: tok, Output: `{"id":"o-1","total":42}`}}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestRunFailureNames(t *testing.T) {
	tests := []struct {
		name      string
		work      func(context.Context) (any, error)
		wantError string
		wantCause string
		wantAs    func(error) bool // extra check on Run's error, optional
	}{
		{
			name:      "callback.Error with name and cause",
			work:      func(context.Context) (any, error) { return nil, &Error{Name: "OrderRejected", Cause: "card declined"} },
			wantError: "OrderRejected", wantCause: "card declined",
		},
		{
			name: "callback.Error wrapped, cause from Err",
			work: func(context.Context) (any, error) {
				return nil, fmt.Errorf("charging: %w", &Error{Name: "PaymentFailed", Err: errors.New("gateway said no")})
			},
			wantError: "PaymentFailed", wantCause: "gateway said no",
		},
		{
			name:      "error declaring its name",
			work:      func(context.Context) (any, error) { return nil, fmt.Errorf("step 2: %w", rejected{"stock"}) },
			wantError: "OrderRejected", wantCause: "step 2: rejected: stock",
		},
		{
			name:      "Go type name like the Lambda runtime",
			work:      func(context.Context) (any, error) { return nil, &quotaError{} },
			wantError: "quotaError", wantCause: "quota exceeded",
		},
		{
			name:      "errors.New is errorString, as the runtime reports it",
			work:      func(context.Context) (any, error) { return nil, errors.New("boom") },
			wantError: "errorString", wantCause: "boom",
		},
		{
			name:      "panic is answered as PanicError",
			work:      func(context.Context) (any, error) { panic("nil map") },
			wantError: "PanicError", wantCause: "handler: panic: nil map",
			wantAs: func(err error) bool { var pe *handler.PanicError; return errors.As(err, &pe) && pe.Stack != nil },
		},
		{
			name:      "output over 262,144 bytes",
			work:      func(context.Context) (any, error) { return strings.Repeat("x", maxOutputBytes), nil },
			wantError: NameOutputTooLarge,
			wantCause: "callback: task output is 262146 bytes, more than the 262144 Step Functions accepts",
			wantAs: func(err error) bool {
				var e *OutputTooLargeError
				return errors.As(err, &e) && e.Size == maxOutputBytes+2 && e.Limit == maxOutputBytes
			},
		},
		{
			name:      "output that cannot be encoded",
			work:      func(context.Context) (any, error) { return make(chan int), nil },
			wantError: "UnsupportedTypeError", wantCause: "json: unsupported type: chan int",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeSFN{}
			err := Run(context.Background(), f, tok, tt.work, WithLogger(discard()))
			var tf *TaskFailedError
			if !errors.As(err, &tf) {
				t.Fatalf("Run = %v, want a *TaskFailedError", err)
			}
			if tf.Name != tt.wantError || tf.Cause != tt.wantCause {
				t.Errorf("TaskFailedError = %q, %q; want %q, %q", tf.Name, tf.Cause, tt.wantError, tt.wantCause)
			}
			if tt.wantAs != nil && !tt.wantAs(err) {
				t.Errorf("Run = %#v, does not carry the expected error", err)
			}
			want := []call{{Op: "SendTaskFailure", Token: tok, Error: tt.wantError, Cause: tt.wantCause}}
			if diff := cmp.Diff(want, f.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunOutputAtLimitSucceeds(t *testing.T) {
	f := &fakeSFN{}
	s := strings.Repeat("x", maxOutputBytes-2) // plus two quotes: exactly the limit
	if err := Run(context.Background(), f, tok, func(context.Context) (string, error) { return s, nil }); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if c := f.Calls(); len(c) != 1 || c[0].Op != "SendTaskSuccess" || len(c[0].Output) != maxOutputBytes {
		t.Errorf("calls = %d, want one SendTaskSuccess of %d bytes", len(c), maxOutputBytes)
	}
}

func TestRunLimits(t *testing.T) {
	longName := strings.Repeat("N", 300)
	// é is 2 bytes and one UTF-16 unit; 😀 is 4 bytes and two units.
	longCause := strings.Repeat("é", maxCauseLen+10)
	f := &fakeSFN{}
	err := Run(context.Background(), f, tok, func(context.Context) (int, error) {
		return 0, &Error{Name: longName, Cause: longCause}
	}, WithLogger(discard()))
	if err == nil {
		t.Fatal("Run = nil, want an error")
	}
	c := f.Calls()[0]
	if c.Error != strings.Repeat("N", maxErrorLen) {
		t.Errorf("error is %d chars, want the first %d", len(c.Error), maxErrorLen)
	}
	if want := strings.Repeat("é", maxCauseLen-1) + "…"; c.Cause != want {
		t.Errorf("cause has %d UTF-16 units, want %d ending in …", utf16Len(c.Cause), maxCauseLen)
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		mark  string
		want  string
	}{
		{"short stays", "abc", 5, "…", "abc"},
		{"exact stays", "abcde", 5, "…", "abcde"},
		{"ascii cut with mark", "abcdef", 5, "…", "abcd…"},
		{"ascii cut without mark", "abcdef", 5, "", "abcde"},
		{"two-byte runes counted once", "ééééé", 5, "", "ééééé"},
		{"two-byte runes cut at a boundary", "éééééé", 5, "", "ééééé"},
		{"three-byte runes", "日本語の文字", 4, "…", "日本語…"},
		{"emoji counts two units", "a😀😀", 4, "", "a😀"},
		{"emoji not split by the mark", "😀😀😀", 4, "…", "😀…"},
		{"invalid UTF-8 replaced", "ok\xff\xfe", 10, "…", "ok\uFFFD"},
		{"invalid UTF-8 replaced then cut", "ab\xffcdef", 4, "", "ab\uFFFDc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in, tt.limit, tt.mark)
			if got != tt.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			if !utf8Valid(got) || utf16Len(got) > tt.limit {
				t.Errorf("clip(%q, %d) = %q: invalid UTF-8 or over the limit", tt.in, tt.limit, got)
			}
		})
	}
}

func TestRunDelivery(t *testing.T) {
	tests := []struct {
		name        string
		f           *fakeSFN
		workErr     error
		wantOps     []string
		wantGone    bool
		wantFailed  string // Name of the TaskFailedError, "" for none
		wantUndeliv bool
	}{
		{name: "success delivered", f: &fakeSFN{}, wantOps: []string{"SendTaskSuccess"}},
		{name: "success: task timed out", f: &fakeSFN{successErr: errTimedOut}, wantOps: []string{"SendTaskSuccess"}, wantGone: true},
		{name: "success: already answered", f: &fakeSFN{successErr: errDoesNotExist}, wantOps: []string{"SendTaskSuccess"}, wantGone: true},
		{name: "success: invalid token", f: &fakeSFN{successErr: errInvalidToken}, wantOps: []string{"SendTaskSuccess"}, wantGone: true},
		{name: "success: transient after the client's retries", f: &fakeSFN{successErr: errUnavailable}, wantOps: []string{"SendTaskSuccess"}, wantUndeliv: true},
		{
			name: "success: invalid output fails the task", f: &fakeSFN{successErr: errInvalidOutput},
			wantOps: []string{"SendTaskSuccess", "SendTaskFailure"}, wantFailed: NameInvalidOutput,
		},
		{name: "failure delivered", f: &fakeSFN{}, workErr: errors.New("x"), wantOps: []string{"SendTaskFailure"}, wantFailed: "errorString"},
		{name: "failure: task timed out", f: &fakeSFN{failureErr: errTimedOut}, workErr: errors.New("x"), wantOps: []string{"SendTaskFailure"}, wantGone: true},
		{name: "failure: transient", f: &fakeSFN{failureErr: errUnavailable}, workErr: errors.New("x"), wantOps: []string{"SendTaskFailure"}, wantUndeliv: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Run(context.Background(), tt.f, tok, func(context.Context) (int, error) { return 1, tt.workErr }, WithLogger(discard()))
			var ops []string
			for _, c := range tt.f.Calls() {
				ops = append(ops, c.Op)
			}
			if diff := cmp.Diff(tt.wantOps, ops); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, ErrTaskGone); got != tt.wantGone {
				t.Errorf("errors.Is(%v, ErrTaskGone) = %v, want %v", err, got, tt.wantGone)
			}
			var de *DeliveryError
			if got := errors.As(err, &de) && !tt.wantGone; got != tt.wantUndeliv {
				t.Errorf("Run = %v; undelivered = %v, want %v", err, got, tt.wantUndeliv)
			}
			var tf *TaskFailedError
			if errors.As(err, &tf) != (tt.wantFailed != "") || (tf != nil && tf.Name != tt.wantFailed) {
				t.Errorf("Run = %v, want a TaskFailedError named %q", err, tt.wantFailed)
			}
			if tt.wantFailed == "" && !tt.wantGone && !tt.wantUndeliv && err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		})
	}
}

func TestRunEmptyToken(t *testing.T) {
	f := &fakeSFN{}
	called := false
	err := Run(context.Background(), f, "", func(context.Context) (int, error) { called = true; return 0, nil })
	var mt *MissingTokenError
	if !errors.As(err, &mt) || called || len(f.Calls()) != 0 {
		t.Errorf("Run = %v, work called %v, %d calls; want *MissingTokenError and nothing called", err, called, len(f.Calls()))
	}
}

// The answer must go out even when the invocation's context ended: that is
// when the work most often fails.
func TestRunAnswersAfterContextEnds(t *testing.T) {
	f := &fakeSFN{}
	ctx, cancel := context.WithCancel(context.Background())
	err := Run(ctx, f, tok, func(ctx context.Context) (int, error) {
		cancel()
		<-ctx.Done()
		return 0, ctx.Err()
	}, WithLogger(discard()))
	var tf *TaskFailedError
	if !errors.As(err, &tf) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want a TaskFailedError wrapping context.Canceled", err)
	}
	if f.ctxErrs[0] != nil {
		t.Errorf("SendTaskFailure got a done context: %v", f.ctxErrs[0])
	}
}

func TestHeartbeats(t *testing.T) {
	f := &fakeSFN{beats: make(chan int, 16)}
	err := Run(context.Background(), f, tok, func(ctx context.Context) (string, error) {
		for n := range f.beats {
			if n >= 3 { // the one before the work and two from the ticker
				break
			}
		}
		return "done", nil
	}, WithHeartbeat(time.Millisecond))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	calls := f.Calls()
	if calls[0].Op != "SendTaskHeartbeat" {
		t.Errorf("first call %s, want a heartbeat before the work", calls[0].Op)
	}
	last := calls[len(calls)-1]
	if last.Op != "SendTaskSuccess" {
		t.Errorf("last call %s, want the answer, with no heartbeat after it", last.Op)
	}
	if n := countOps(calls, "SendTaskHeartbeat"); n < 3 {
		t.Errorf("%d heartbeats, want at least 3", n)
	}
	// Heartbeats have stopped: nothing is sent after Run returned.
	time.Sleep(5 * time.Millisecond)
	if n := len(f.Calls()); n != len(calls) {
		t.Errorf("%d calls after Run returned, want none", n-len(calls))
	}
}

func TestHeartbeatFindsTaskGone(t *testing.T) {
	for _, gone := range []error{errTimedOut, errDoesNotExist} {
		t.Run(gone.(interface{ ErrorCode() string }).ErrorCode(), func(t *testing.T) {
			f := &fakeSFN{heartbeatErr: func(n int) error {
				if n == 2 {
					return gone
				}
				return nil
			}}
			var cause error
			err := Run(context.Background(), f, tok, func(ctx context.Context) (int, error) {
				<-ctx.Done() // the work is cancelled, not left running
				cause = context.Cause(ctx)
				return 0, ctx.Err()
			}, WithHeartbeat(time.Millisecond), WithLogger(discard()))
			if !errors.Is(err, ErrTaskGone) {
				t.Errorf("Run = %v, want ErrTaskGone", err)
			}
			var de *DeliveryError
			if !errors.As(cause, &de) || de.Op != "SendTaskHeartbeat" {
				t.Errorf("work's context cause = %v, want the heartbeat's *DeliveryError", cause)
			}
			want := []string{"SendTaskHeartbeat", "SendTaskHeartbeat"}
			if diff := cmp.Diff(want, ops(f.Calls())); diff != "" {
				t.Errorf("calls after the task was gone (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFirstHeartbeatSkipsWorkForClosedTask(t *testing.T) {
	f := &fakeSFN{heartbeatErr: func(int) error { return errDoesNotExist }}
	called := false
	err := Run(context.Background(), f, tok, func(context.Context) (int, error) { called = true; return 0, nil },
		WithHeartbeat(time.Hour), WithLogger(discard()))
	if !errors.Is(err, ErrTaskGone) || called {
		t.Errorf("Run = %v, work called = %v; want ErrTaskGone without work", err, called)
	}
	if diff := cmp.Diff([]string{"SendTaskHeartbeat"}, ops(f.Calls())); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestTransientHeartbeatFailureKeepsGoing(t *testing.T) {
	f := &fakeSFN{beats: make(chan int, 16), heartbeatErr: func(n int) error {
		if n == 2 {
			return errUnavailable
		}
		return nil
	}}
	err := Run(context.Background(), f, tok, func(ctx context.Context) (int, error) {
		for n := range f.beats {
			if n >= 3 {
				break
			}
		}
		return 7, ctx.Err()
	}, WithHeartbeat(time.Millisecond), WithLogger(discard()))
	if err != nil {
		t.Fatalf("Run = %v, want nil: a transient heartbeat failure must not stop the work", err)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cases := []*fakeSFN{{}, {successErr: errTimedOut}, {successErr: errUnavailable}, {failureErr: errUnavailable}}
	for i, f := range cases {
		_ = Run(context.Background(), f, tok, func(context.Context) (int, error) {
			if i == 3 {
				return 0, errors.New("x")
			}
			return 1, nil
		}, WithLogger(logger))
	}
	if strings.Contains(buf.String(), tok) || strings.Contains(buf.String(), tok[:20]) {
		t.Errorf("log contains the token:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), tokenRef(tok).String()) {
		t.Errorf("log does not identify the token by its hash %s:\n%s", tokenRef(tok), buf.String())
	}
}

func ops(calls []call) []string {
	var s []string
	for _, c := range calls {
		s = append(s, c.Op)
	}
	return s
}

func countOps(calls []call, op string) int {
	n := 0
	for _, c := range calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// InvalidToken stops heartbeats, since retrying cannot help, but not the
// work: it does not prove the task closed (moto gives it for a live task
// without HeartbeatSeconds), and the answer decides.
func TestHeartbeatInvalidTokenStopsHeartbeatsOnly(t *testing.T) {
	tests := []struct {
		name    string
		refused int // the heartbeat answered InvalidToken
	}{
		{"first heartbeat", 1},
		{"periodic heartbeat", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeSFN{beats: make(chan int, 16), heartbeatErr: func(n int) error {
				if n == tt.refused {
					return errInvalidToken
				}
				return nil
			}}
			err := Run(context.Background(), f, tok, func(ctx context.Context) (int, error) {
				if tt.refused > 1 {
					for n := range f.beats {
						if n >= tt.refused {
							break
						}
					}
				}
				time.Sleep(10 * time.Millisecond) // room for heartbeats that must not come
				return 1, ctx.Err()
			}, WithHeartbeat(time.Millisecond), WithLogger(discard()))
			if err != nil {
				t.Fatalf("Run = %v, want nil: the work must go on and be answered", err)
			}
			want := append(slices.Repeat([]string{"SendTaskHeartbeat"}, tt.refused), "SendTaskSuccess")
			if diff := cmp.Diff(want, ops(f.Calls())); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}
