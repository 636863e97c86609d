package handler

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda"
)

// Func is a typed Lambda handler: it takes the decoded event and returns a
// value that is encoded as the JSON response.
type Func[In, Out any] func(ctx context.Context, in In) (Out, error)

// HandlerFunc is a handler in the raw form the Lambda runtime invokes: the
// payload bytes in, the response bytes out. It implements lambda.Handler, so it
// can be passed to [Start], to aws-lambda-go, or to the localstack test bed.
type HandlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f HandlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

var _ lambda.Handler = HandlerFunc(nil)

// Middleware decorates a handler. It must be safe for concurrent invocations
// and keep per-invocation state in the context.
type Middleware func(next HandlerFunc) HandlerFunc

// Chain applies mws to h. The first-listed middleware is the outermost: it
// sees the invocation first and the result last. The chain is built once;
// invoking it costs no allocation of its own.
func Chain(h HandlerFunc, mws ...Middleware) HandlerFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			h = mws[i](h)
		}
	}
	return h
}

// New returns fn as a HandlerFunc decorated with mws. The payload is decoded
// with encoding/json into In (an empty payload gives the zero In); a payload
// that does not decode is answered with a [*DecodeError] without calling fn.
// The result is encoded with encoding/json.
func New[In, Out any](fn Func[In, Out], mws ...Middleware) HandlerFunc {
	typeName := reflect.TypeFor[In]().String() // once, for error messages
	raw := func(ctx context.Context, payload []byte) ([]byte, error) {
		var in In
		if len(payload) > 0 {
			if err := json.Unmarshal(payload, &in); err != nil {
				return nil, &DecodeError{Type: typeName, Err: err}
			}
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
	return Chain(raw, mws...)
}

// Start runs h under the aws-lambda-go runtime with lambda.StartWithOptions;
// opts are aws-lambda-go's options (for example the one [OnShutdown] returns).
// Start does not return.
func Start(h lambda.Handler, opts ...lambda.Option) {
	lambda.StartWithOptions(h, opts...)
}
