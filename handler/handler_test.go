package handler_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
)

type order struct {
	ID    string  `json:"id"`
	Total float64 `json:"total"`
}

type receipt struct {
	ID string `json:"id"`
	OK bool   `json:"ok"`
}

func process(_ context.Context, o order) (receipt, error) {
	if o.ID == "" {
		return receipt{}, errors.New("missing id")
	}
	return receipt{ID: o.ID, OK: o.Total > 0}, nil
}

func TestNew(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		want     string
		wantErr  bool
		wantType string
	}{
		{name: "valid", payload: `{"id":"o-1","total":3}`, want: `{"id":"o-1","ok":true}`},
		{name: "empty payload gives the zero input", payload: ``, wantErr: true, wantType: "errorString"},
		{name: "null gives the zero input", payload: `null`, wantErr: true, wantType: "errorString"},
		{name: "invalid JSON", payload: `{"id":`, wantErr: true, wantType: "DecodeError"},
		{name: "wrong shape", payload: `{"id":42}`, wantErr: true, wantType: "DecodeError"},
		{name: "wrong top-level type", payload: `[1,2]`, wantErr: true, wantType: "DecodeError"},
	}
	h := handler.New(process)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(tt.payload))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Invoke(%q) = %s, want an error", tt.payload, out)
				}
				if got := handler.ErrorType(err); got != tt.wantType {
					t.Errorf("ErrorType = %q, want %q (err %v)", got, tt.wantType, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke(%q): %v", tt.payload, err)
			}
			if string(out) != tt.want {
				t.Errorf("Invoke(%q) = %s, want %s", tt.payload, out, tt.want)
			}
		})
	}
}

func TestDecodeErrorNamesTheType(t *testing.T) {
	_, err := handler.New(process).Invoke(context.Background(), []byte(`{"total":"x"}`))
	var de *handler.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("err = %T %v, want *handler.DecodeError", err, err)
	}
	if de.Type != "handler_test.order" || !strings.Contains(err.Error(), "handler_test.order") {
		t.Errorf("DecodeError = %+v, want it to name handler_test.order", de)
	}
	var jsonErr *json.UnmarshalTypeError
	if !errors.As(err, &jsonErr) {
		t.Errorf("DecodeError does not unwrap to the decoder's error: %v", err)
	}
}

func TestChainOrder(t *testing.T) {
	var trace []string
	mark := func(name string) handler.Middleware {
		return func(next handler.HandlerFunc) handler.HandlerFunc {
			return func(ctx context.Context, p []byte) ([]byte, error) {
				trace = append(trace, name+">")
				out, err := next(ctx, p)
				trace = append(trace, "<"+name)
				return out, err
			}
		}
	}
	h := handler.Chain(func(context.Context, []byte) ([]byte, error) {
		trace = append(trace, "handler")
		return nil, nil
	}, mark("a"), nil, mark("b"))
	if _, err := h(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"a>", "b>", "handler", "<b", "<a"}
	if diff := cmp.Diff(want, trace); diff != "" {
		t.Errorf("call order (-want +got):\n%s", diff)
	}
}

func TestWrap(t *testing.T) {
	ctx := context.Background()
	payload := []byte(`{"id":"o-1","total":1}`)
	tests := []struct {
		name string
		h    any
		want string
	}{
		{"func()", func() {}, `null`},
		{"func() error", func() error { return nil }, `null`},
		{"func(In) error", func(order) error { return nil }, `null`},
		{"func() (Out, error)", func() (string, error) { return "x", nil }, `"x"`},
		{"func(In) (Out, error)", func(o order) (string, error) { return o.ID, nil }, `"o-1"`},
		{"func(ctx) error", func(context.Context) error { return nil }, `null`},
		{"func(ctx, In) error", func(context.Context, order) error { return nil }, `null`},
		{"func(ctx) (Out, error)", func(context.Context) (int, error) { return 7, nil }, `7`},
		{"func(ctx, In) (Out, error)", process, `{"id":"o-1","ok":true}`},
		{"lambda.Handler", lambda.NewHandler(process), `{"id":"o-1","ok":true}`},
		{"HandlerFunc", handler.New(process), `{"id":"o-1","ok":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := handler.Wrap(tt.h, handler.Defaults()...)
			if err != nil {
				t.Fatalf("Wrap: %v", err)
			}
			out, err := h.Invoke(ctx, payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("Invoke = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWrapRejectsInvalidHandlers(t *testing.T) {
	tests := []struct {
		name string
		h    any
	}{
		{"nil", nil},
		{"not a function", 42},
		{"three arguments", func(context.Context, int, int) error { return nil }},
		{"two arguments without context", func(int, int) error { return nil }},
		{"one result that is not error", func() int { return 0 }},
		{"second result not error", func() (int, int) { return 0, 0 }},
		{"three results", func() (int, int, error) { return 0, 0, nil }},
		{"variadic", func(...int) error { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := handler.Wrap(tt.h)
			var se *handler.SignatureError
			if !errors.As(err, &se) {
				t.Fatalf("Wrap(%T) = %v, %v; want a *handler.SignatureError", tt.h, h != nil, err)
			}
		})
	}
}

func TestRecover(t *testing.T) {
	sentinel := errors.New("boom")
	tests := []struct {
		name      string
		value     any
		wantIsErr error
	}{
		{name: "string", value: "oops"},
		{name: "error", value: sentinel, wantIsErr: sentinel},
		{name: "runtime error", value: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := handler.Chain(func(context.Context, []byte) ([]byte, error) {
				if tt.value == nil {
					var o *order
					_ = o.ID // a nil dereference panics with a runtime.Error
				}
				panic(tt.value)
			}, handler.Recover())
			_, err := h(context.Background(), nil)
			var pe *handler.PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *handler.PanicError", err)
			}
			if len(pe.Stack) == 0 || !strings.Contains(string(pe.Stack), "handler_test") {
				t.Errorf("PanicError.Stack does not show the panicking function:\n%s", pe.Stack)
			}
			if got := handler.ErrorType(err); got != "PanicError" {
				t.Errorf("ErrorType = %q, want PanicError", got)
			}
			if tt.wantIsErr != nil && !errors.Is(err, tt.wantIsErr) {
				t.Errorf("errors.Is(err, %v) = false", tt.wantIsErr)
			}
		})
	}
}

func TestColdStartConcurrent(t *testing.T) {
	var cold atomic.Int32
	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		if handler.IsColdStart(ctx) {
			cold.Add(1)
		}
		return nil, nil
	}, handler.ColdStart())
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { _, _ = h(context.Background(), nil) })
	}
	wg.Wait()
	if got := cold.Load(); got != 1 {
		t.Errorf("%d invocations saw a cold start, want exactly 1", got)
	}
	if handler.IsColdStart(context.Background()) {
		t.Error("IsColdStart without the middleware = true")
	}
}

// TestDefaultsConcurrent runs one handler with every built-in middleware from
// many goroutines, as the runtime does with AWS_LAMBDA_MAX_CONCURRENCY; -race
// checks that no per-invocation state is shared.
func TestDefaultsConcurrent(t *testing.T) {
	h := handler.New(func(ctx context.Context, o order) (receipt, error) {
		if _, ok := handler.Remaining(ctx); !ok {
			return receipt{}, errors.New("no deadline under DeadlineMargin")
		}
		if o.Total < 0 {
			panic("negative total")
		}
		return receipt{ID: o.ID, OK: true}, nil
	}, handler.Defaults(handler.WithMargin(10*time.Millisecond), handler.WithLogger(slog.New(slog.DiscardHandler)))...)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := range 64 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			payload := `{"id":"o","total":1}`
			if i%8 == 0 {
				payload = `{"id":"o","total":-1}`
			}
			_, err := h(ctx, []byte(payload))
			var pe *handler.PanicError
			if (i%8 == 0) != errors.As(err, &pe) {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Errorf("%d invocations got the wrong result", n)
	}
}
