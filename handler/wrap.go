package handler

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda"
)

// Wrap decorates an existing Go Lambda with mws without rewriting it. h is a
// lambda.Handler, a [HandlerFunc], or any function lambda.Start accepts:
//
//	func()
//	func() error
//	func(In) error
//	func() (Out, error)
//	func(In) (Out, error)
//	func(context.Context) error
//	func(context.Context, In) error
//	func(context.Context) (Out, error)
//	func(context.Context, In) (Out, error)
//
// where In and Out are types encoding/json can handle. The signature is
// checked here, once, and an invalid one is a [*SignatureError]; aws-lambda-go
// would only report it at the first invocation. A plain function is invoked
// through aws-lambda-go's own handler, so it decodes and answers exactly as it
// did before it was wrapped. For a func(context.Context, In) (Out, error),
// prefer [New], whose invocation path uses no reflection.
func Wrap(h any, mws ...Middleware) (HandlerFunc, error) {
	switch h := h.(type) {
	case nil:
		return nil, &SignatureError{Type: "nil", Reason: "the handler is nil"}
	case HandlerFunc:
		return Chain(h, mws...), nil
	case lambda.Handler:
		return Chain(h.Invoke, mws...), nil
	}
	if err := checkSignature(reflect.TypeOf(h)); err != nil {
		return nil, err
	}
	return Chain(lambda.NewHandler(h).Invoke, mws...), nil
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// checkSignature applies aws-lambda-go's rules for handler functions.
func checkSignature(t reflect.Type) error {
	bad := func(format string, args ...any) error {
		return &SignatureError{Type: t.String(), Reason: fmt.Sprintf(format, args...)}
	}
	if t.Kind() != reflect.Func {
		return bad("it is a %s, not a function", t.Kind())
	}
	switch t.NumIn() {
	case 0, 1:
	case 2:
		if t.In(0) != contextType {
			return bad("it takes two arguments, but the first is %s, not context.Context", t.In(0))
		}
	default:
		return bad("it takes %d arguments; a handler takes at most two", t.NumIn())
	}
	if t.IsVariadic() {
		return bad("it is variadic")
	}
	switch t.NumOut() {
	case 0:
	case 1:
		if t.Out(0) != errorType {
			return bad("it returns one value, %s, which is not error", t.Out(0))
		}
	case 2:
		if t.Out(1) != errorType {
			return bad("it returns two values, but the second is %s, not error", t.Out(1))
		}
	default:
		return bad("it returns %d values; a handler returns at most two", t.NumOut())
	}
	return nil
}
