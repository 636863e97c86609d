package callback

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/lambdakit/lambdakit/handler"
)

// Run runs work for the task identified by token and answers Step Functions
// with its result: SendTaskSuccess with the JSON-encoded output, or
// SendTaskFailure with a name and cause when work fails, panics, or returns
// an output too large to send. It is the core of [Handler] and [SQSWorker],
// for task tokens that arrive some other way. Token location options are
// ignored.
//
// Run returns nil when the success was delivered; a [*TaskFailedError]
// wrapping the work's error when the failure was delivered (the work's
// *[handler.PanicError] or [*OutputTooLargeError] among them); a
// [*DeliveryError] when an answer or heartbeat did not get through, which
// matches [ErrTaskGone] when the task is closed; and a [*MissingTokenError]
// for an empty token, without calling work.
//
// Run is safe for concurrent use.
func Run[Out any](ctx context.Context, api API, token string, work func(ctx context.Context) (Out, error), opts ...Option) error {
	o := newOptions(opts)
	return run(ctx, api, &o, token, func(ctx context.Context) ([]byte, error) {
		out, err := work(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	})
}

// Outcomes annotated on the invocation's span under "callback.outcome".
const (
	outcomeSucceeded   = "succeeded"
	outcomeFailed      = "failed"
	outcomeGone        = "gone"
	outcomeUndelivered = "undelivered"
	outcomeNoToken     = "no_token"
)

// run does the work of [Run] on the raw form: work returns the output JSON.
func run(ctx context.Context, api API, o *options, token string, work func(context.Context) ([]byte, error)) error {
	ref := tokenRef(token)
	if token == "" {
		handler.Annotate(ctx, "callback.outcome", outcomeNoToken)
		return &MissingTokenError{Looked: []string{"token argument"}, Reason: "the token is empty"}
	}
	workCtx := ctx
	stopHeartbeats := func() error { return nil }
	if o.heartbeat > 0 {
		// Only heartbeats can find the task gone mid-work, so only they need
		// a context to cancel the work with.
		var cancelWork context.CancelCauseFunc
		workCtx, cancelWork = context.WithCancelCause(ctx)
		defer cancelWork(nil)
		// The first heartbeat, before any work, finds a closed task at once:
		// a redelivered message must not redo work nobody waits for.
		switch err := heartbeat(workCtx, api, token); {
		case err == nil:
			stopHeartbeats = startHeartbeats(workCtx, cancelWork, api, o, token)
		case isClosed(err):
			return gone(ctx, o, ref, &DeliveryError{Op: "SendTaskHeartbeat", Token: ref.String(), Err: err})
		case isGone(err): // InvalidToken
			heartbeatRefused(ctx, o, ref, err)
		default:
			logHeartbeatFailure(ctx, o, ref, err)
			stopHeartbeats = startHeartbeats(workCtx, cancelWork, api, o, token)
		}
	}

	out, err := callWork(workCtx, work)
	if goneErr := stopHeartbeats(); goneErr != nil {
		// The task is closed: no answer can land, and trying is a wasted call.
		return gone(ctx, o, ref, goneErr)
	}

	answerCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.answerTimeout)
	defer cancel()
	if err == nil {
		if len(out) > maxOutputBytes {
			err = &OutputTooLargeError{Size: len(out), Limit: maxOutputBytes}
		} else {
			_, sendErr := api.SendTaskSuccess(answerCtx, &sfn.SendTaskSuccessInput{
				TaskToken: aws.String(token),
				Output:    aws.String(string(out)),
			}, noTerminalRetries)
			switch {
			case sendErr == nil:
				handler.Annotate(ctx, "callback.outcome", outcomeSucceeded)
				if o.logger.Enabled(ctx, slog.LevelDebug) {
					o.logger.LogAttrs(ctx, slog.LevelDebug, "callback: task succeeded", slog.Any("task_token", ref))
				}
				return nil
			case errorCode(sendErr) == codeInvalidOutput:
				// Fail the task rather than leave it waiting for an output
				// that will never be accepted.
				err = &Error{Name: NameInvalidOutput, Err: sendErr}
			default:
				return undelivered(ctx, o, ref, &DeliveryError{Op: "SendTaskSuccess", Token: ref.String(), Err: sendErr})
			}
		}
	}

	name, cause := describe(err)
	_, sendErr := api.SendTaskFailure(answerCtx, &sfn.SendTaskFailureInput{
		TaskToken: aws.String(token),
		Error:     aws.String(name),
		Cause:     aws.String(cause),
	}, noTerminalRetries)
	if sendErr != nil {
		return undelivered(ctx, o, ref, &DeliveryError{Op: "SendTaskFailure", Token: ref.String(), Work: err, Err: sendErr})
	}
	handler.Annotate(ctx, "callback.outcome", outcomeFailed)
	handler.Annotate(ctx, "callback.error", name)
	attrs := []slog.Attr{slog.Any("task_token", ref), slog.String("error", name), slog.String("cause", cause)}
	if pe := (*handler.PanicError)(nil); errors.As(err, &pe) {
		attrs = append(attrs, slog.String("stack", string(pe.Stack)))
	}
	o.logger.LogAttrs(ctx, slog.LevelInfo, "callback: task failed", attrs...)
	return &TaskFailedError{Name: name, Cause: cause, Err: err}
}

// undelivered routes a failed answer: a closed task is [gone], anything else
// is logged as an error for the caller to retry.
func undelivered(ctx context.Context, o *options, ref tokenRef, err *DeliveryError) error {
	if isGone(err.Err) {
		return gone(ctx, o, ref, err)
	}
	handler.Annotate(ctx, "callback.outcome", outcomeUndelivered)
	o.logger.LogAttrs(ctx, slog.LevelError, "callback: answer not delivered",
		slog.Any("task_token", ref), slog.String("op", err.Op), slog.String("error", err.Err.Error()))
	return err
}

func gone(ctx context.Context, o *options, ref tokenRef, err error) error {
	handler.Annotate(ctx, "callback.outcome", outcomeGone)
	o.logger.LogAttrs(ctx, slog.LevelWarn, "callback: task already closed or unknown; not answered",
		slog.Any("task_token", ref), slog.String("error", err.Error()))
	return err
}

// callWork runs work, turning a panic into a *handler.PanicError so that the
// task is answered as failed instead of left waiting until it times out.
func callWork(ctx context.Context, work func(context.Context) ([]byte, error)) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, &handler.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return work(ctx)
}

func heartbeat(ctx context.Context, api API, token string) error {
	_, err := api.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)}, noTerminalRetries)
	return err
}

// heartbeatRefused logs a heartbeat answered InvalidToken. Retrying it cannot
// help, so heartbeats stop; but the work goes on, because that answer does
// not prove the task closed (emulators give it for a live task without
// HeartbeatSeconds), and the final answer settles the matter either way.
func heartbeatRefused(ctx context.Context, o *options, ref tokenRef, err error) {
	o.logger.LogAttrs(ctx, slog.LevelWarn, "callback: heartbeat refused as InvalidToken; no more heartbeats for this task",
		slog.Any("task_token", ref), slog.String("error", err.Error()))
}

func logHeartbeatFailure(ctx context.Context, o *options, ref tokenRef, err error) {
	o.logger.LogAttrs(ctx, slog.LevelWarn, "callback: heartbeat failed; trying again at the next interval",
		slog.Any("task_token", ref), slog.String("error", err.Error()))
}

// startHeartbeats sends a heartbeat every o.heartbeat until the returned stop
// is called. stop waits for the heartbeat goroutine, cancelling a call in
// flight, so that no heartbeat can follow the final answer; it returns the
// *DeliveryError when a heartbeat found the task gone, after which the work's
// context was cancelled with that error as its cause.
func startHeartbeats(ctx context.Context, cancelWork context.CancelCauseFunc, api API, o *options, token string) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var goneErr error // written by the goroutine before done is closed
	go func() {
		defer close(done)
		t := time.NewTicker(o.heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := heartbeat(ctx, api, token)
			switch {
			case err == nil:
			case isClosed(err):
				goneErr = &DeliveryError{Op: "SendTaskHeartbeat", Token: tokenRef(token).String(), Err: err}
				cancelWork(goneErr)
				return
			case ctx.Err() != nil:
				return
			case isGone(err): // InvalidToken
				heartbeatRefused(ctx, o, tokenRef(token), err)
				return
			default:
				logHeartbeatFailure(ctx, o, tokenRef(token), err)
			}
		}
	}()
	return func() error {
		cancel()
		<-done
		return goneErr
	}
}
