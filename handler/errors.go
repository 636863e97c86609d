package handler

import (
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// PanicError is returned in place of a panic in a handler. The Lambda runtime
// reports it as error type "PanicError", so a state machine can Catch it.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
	// Stack is the goroutine stack at the point of the panic.
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("handler: panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// DecodeError reports a payload that is not valid JSON or does not fit the
// handler's input type. The runtime reports it as error type "DecodeError".
type DecodeError struct {
	// Type is the Go type the payload was decoded into.
	Type string
	// Err is the decoder's error.
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("handler: payload does not decode into %s: %v", e.Type, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// DeadlineError is returned, without calling the handler, when the time left
// in the invocation is not more than the deadline margin.
type DeadlineError struct {
	// Remaining is the time that was left in the invocation.
	Remaining time.Duration
	// Margin is the configured deadline margin.
	Margin time.Duration
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("handler: %s left in the invocation, not more than the deadline margin %s", e.Remaining, e.Margin)
}

// SignatureError reports a value given to [Wrap] that is not a valid Lambda
// handler. It is returned at construction, not at the first invocation.
type SignatureError struct {
	// Type is the type of the value given to Wrap.
	Type string
	// Reason says what is wrong with it.
	Reason string
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("handler: %s is not a Lambda handler: %s", e.Type, e.Reason)
}

// ErrorType returns the error name the Lambda runtime reports for err, which
// is what a Step Functions Retry or Catch matches: the Type of an
// aws-lambda-go messages.InvokeResponse_Error, else the name of err's Go type
// without package or pointer ("*handler.PanicError" is "PanicError").
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return ive.Type
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
