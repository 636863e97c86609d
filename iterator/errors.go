package iterator

import (
	"errors"
	"fmt"
	"time"
)

// ErrConflict is matched (with errors.Is) by every [*ConflictError].
var ErrConflict = errors.New("iterator: checkpoint conflict")

// ConflictError reports that another invocation holds the checkpoint's lease,
// or took it over while this one worked. The invocation that gets it has not
// run the step (a lease it could not take) or has discarded its work (a save
// that lost the lease), so the checkpoint is exactly as the other invocation
// left it. Step Functions sees the error type "ConflictError"; retrying it with
// a backoff is safe.
type ConflictError struct {
	// Key is the checkpoint key.
	Key string
	// Holder is the lease owner the store reported, if it said.
	Holder string
	// Until is when the other invocation's lease expires; zero if unknown.
	Until time.Time
}

func (e *ConflictError) Error() string {
	if e.Until.IsZero() {
		return fmt.Sprintf("iterator: checkpoint %q is held or was taken over by another invocation", e.Key)
	}
	return fmt.Sprintf("iterator: checkpoint %q is held by another invocation until %s", e.Key, e.Until.UTC().Format(time.RFC3339Nano))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// CheckpointDecodeError reports a stored state that does not decode into the
// iterator's state type, for example after an incompatible change to it. The
// step is not run and the checkpoint is left as it is, for a human to look at.
type CheckpointDecodeError struct {
	// Key is the checkpoint key.
	Key string
	// Type is the Go state type the checkpoint was decoded into.
	Type string
	// Err is the decoder's error.
	Err error
}

func (e *CheckpointDecodeError) Error() string {
	return fmt.Sprintf("iterator: checkpoint %q does not decode into %s: %v", e.Key, e.Type, e.Err)
}

func (e *CheckpointDecodeError) Unwrap() error { return e.Err }

// StoreError reports a store operation that failed for a reason other than a
// conflict: an unreachable endpoint, missing table, throttling past the SDK's
// retries, or a malformed item.
type StoreError struct {
	// Op is the store operation: "claim", "save" or "release".
	Op string
	// Key is the checkpoint key.
	Key string
	// Err is the underlying error.
	Err error
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("iterator: %s checkpoint %q: %v", e.Op, e.Key, e.Err)
}

func (e *StoreError) Unwrap() error { return e.Err }

// StepError reports a step that returned an error or panicked (then Err is a
// *handler.PanicError). Nothing the invocation did is saved: the last good
// checkpoint stays as it was and the next invocation resumes from it.
type StepError struct {
	// Key is the checkpoint key.
	Key string
	// Iteration is the zero-based index, over the whole job, of the step that failed.
	Iteration int64
	// Err is the step's error.
	Err error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("iterator: step %d of %q: %v", e.Iteration, e.Key, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// TooLargeError reports a checkpoint item larger than the store accepts
// (DynamoDB: 400 KB). It is returned before anything is written, so the
// previous checkpoint stays intact.
type TooLargeError struct {
	// Key is the checkpoint key.
	Key string
	// Size is the item size in bytes, as the store computes it.
	Size int
	// Limit is the store's limit in bytes.
	Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("iterator: checkpoint %q is %d bytes, over the limit of %d", e.Key, e.Size, e.Limit)
}

// InputError reports an invocation payload the iterator cannot work with,
// such as one without a checkpoint key.
type InputError struct {
	// Reason says what is wrong.
	Reason string
}

func (e *InputError) Error() string { return "iterator: bad input: " + e.Reason }
