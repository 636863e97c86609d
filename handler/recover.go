package handler

import (
	"context"
	"runtime/debug"
)

// Recover turns a panic in the rest of the chain into a [*PanicError]
// carrying the panic value and stack. aws-lambda-go would report a panic and
// then exit the process, losing the warm instance and any other invocation in
// flight; with Recover the process carries on.
func Recover() Middleware {
	return func(next HandlerFunc) HandlerFunc {
		return func(ctx context.Context, payload []byte) (out []byte, err error) {
			defer func() {
				if v := recover(); v != nil {
					out, err = nil, &PanicError{Value: v, Stack: debug.Stack()}
				}
			}()
			return next(ctx, payload)
		}
	}
}
