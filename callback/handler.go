package callback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/lambdakit/lambdakit/handler"
)

// Handler returns a Lambda handler for a lambda:invoke.waitForTaskToken task:
// it finds the task token in the payload (see [WithTokenField]; by default
// TaskToken, taskToken or task_token), decodes the payload, or the field of
// [WithInputField], into In with encoding/json, calls fn, and answers the
// task as [Run] does. Wrap it with middleware through [handler.Chain].
//
// Once Step Functions has the answer, success or failure, the invocation
// succeeds: the response is fn's output on success and null otherwise. The
// workflow learns of a failure from the answer, and failing the invocation
// as well would only make Lambda retry an asynchronous invocation, redoing
// work whose outcome is already recorded. For the same reason a task that is
// already closed ends the invocation quietly. The invocation fails only when
// the answer could not be delivered (a [*DeliveryError]; a retry may
// succeed) or when the payload has no token (a [*MissingTokenError]).
func Handler[In, Out any](api API, fn handler.Func[In, Out], opts ...Option) handler.HandlerFunc {
	o := newOptions(opts)
	dec := newInputDecoder[In](o.inputPath)
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		token, reason := findToken(payload, o.tokenPaths)
		if token == "" {
			return nil, noToken(ctx, &o, &MissingTokenError{Looked: o.looked(false), Reason: reason})
		}
		var output []byte
		err := run(ctx, api, &o, token, func(ctx context.Context) ([]byte, error) {
			var err error
			output, err = work(ctx, dec, fn, payload)
			return output, err
		})
		if err := deliveryFailure(err); err != nil {
			return nil, err
		}
		if err == nil {
			return output, nil
		}
		return []byte("null"), nil
	}
}

// work decodes the input and runs fn: the part of an invocation whose errors
// are answered to Step Functions.
func work[In, Out any](ctx context.Context, dec inputDecoder[In], fn handler.Func[In, Out], payload []byte) ([]byte, error) {
	in, err := dec.decode(payload)
	if err != nil {
		return nil, err
	}
	out, err := fn(ctx, in)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// deliveryFailure returns err when it means the answer may still be
// delivered by a retry, and nil when Step Functions was told or the task is
// gone.
func deliveryFailure(err error) error {
	if err == nil {
		return nil
	}
	var de *DeliveryError
	if errors.As(err, &de) && !errors.Is(err, ErrTaskGone) {
		return err
	}
	return nil
}

func noToken(ctx context.Context, o *options, err *MissingTokenError, attrs ...slog.Attr) error {
	handler.Annotate(ctx, "callback.outcome", outcomeNoToken)
	o.logger.LogAttrs(ctx, slog.LevelError, "callback: no task token; nothing can be answered",
		append(attrs, slog.String("error", err.Error()))...)
	return err
}

// inputDecoder decodes the typed input from a payload.
type inputDecoder[In any] struct {
	path     []string
	typeName string // for DecodeError, computed once
}

func newInputDecoder[In any](path []string) inputDecoder[In] {
	return inputDecoder[In]{path: path, typeName: reflect.TypeFor[In]().String()}
}

func (d inputDecoder[In]) decode(payload []byte) (In, error) {
	var in In
	raw := payload
	if len(d.path) > 0 {
		v, err := lookup(payload, d.path)
		if errors.Is(err, errNotFound) {
			return in, &handler.DecodeError{Type: d.typeName, Err: fmt.Errorf("no field %s in the payload", strings.Join(d.path, "."))}
		}
		if err != nil {
			return in, &handler.DecodeError{Type: d.typeName, Err: err}
		}
		raw = v
	}
	if len(raw) == 0 {
		return in, nil
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return in, &handler.DecodeError{Type: d.typeName, Err: err}
	}
	return in, nil
}
