// Package handler is the core of lambdakit: typed Lambda handlers, a middleware
// chain around them, and the one place that starts the aws-lambda-go runtime.
//
// A handler is a [Func], func(ctx, In) (Out, error). [New] turns it into a
// [HandlerFunc], the raw form the Lambda runtime invokes (payload bytes in,
// response bytes out), and applies middleware. A [Middleware] is a function
// from HandlerFunc to HandlerFunc; in a chain the first-listed middleware is
// the outermost. Because middleware works on the raw form, the built-in ones
// ([Recover], [DeadlineMargin], [Logging], [ColdStart], [Tracing]) are used
// without spelling type parameters, and feature packages (batch, callback,
// iterator) can own payload decoding by producing a HandlerFunc themselves.
//
//	func main() {
//		handler.Start(handler.New(process, handler.Defaults()...))
//	}
//
// An existing Go Lambda gets the same middleware in one line with [Wrap],
// which accepts every handler value lambda.Start accepts.
//
// Per-invocation state lives in the context only, since the runtime may run
// several invocations of one handler at once (AWS_LAMBDA_MAX_CONCURRENCY):
// [Remaining], [IsColdStart] and [TraceID] read it.
//
// Time: outside Lambda a handler often gets no deadline or a zero (1970) one
// (aws-lambda-go issues #361 and #564). [DeadlineMargin] treats such a
// deadline as absent and gives the invocation a default budget instead of a
// context that is already cancelled.
//
// Errors that reach the runtime are reported by their Go type name, which is
// what a Step Functions Retry or Catch matches, so the error types here
// ([PanicError], [DecodeError], [DeadlineError]) are named deliberately.
//
// See https://docs.aws.amazon.com/lambda/latest/dg/golang-handler.html and
// https://docs.aws.amazon.com/lambda/latest/dg/golang-context.html.
package handler
