package iterator

import (
	"context"
	"time"
)

// Checkpoint is what a [Store] keeps for one key.
type Checkpoint struct {
	// Key identifies the job.
	Key string
	// Version counts the saves; 0 means the key was claimed but never saved.
	// A save succeeds only against the version it read.
	Version int64
	// State is the user's state as JSON; nil before the first save.
	State []byte
	// Completed is set by the save after the step reported done. A
	// completed checkpoint is never claimed or written again.
	Completed bool
	// Iterations is the number of steps completed over all invocations.
	Iterations int64
	// Invocations is the number of invocations that claimed the key.
	Invocations int64
	// ExecutionInvocations is the number of invocations since the output last
	// asked the state machine to continue as a new execution.
	ExecutionInvocations int64
	// StepEstimate is the step duration the stopping rule learned, carried
	// over so that the next invocation does not start blind.
	StepEstimate time.Duration
}

// Lease is the claim an invocation takes on a key for the time it works on it.
type Lease struct {
	// Owner identifies the invocation; it is unique per invocation.
	Owner string
	// Now is the claimant's clock at the claim. A lease whose Until is not
	// after Now has expired and can be taken over.
	Now time.Time
	// Until is when the lease expires: the invocation's deadline plus a
	// slack for clock skew, after which Lambda has stopped the invocation.
	Until time.Time
}

// Store keeps checkpoints. Every write is conditional, so that two
// invocations on the same key can never both advance it. Implementations
// must be safe for concurrent use and must return a [*ConflictError] (and
// nothing else) when a condition fails.
type Store interface {
	// Claim reads the checkpoint for key and takes its lease in one
	// conditional write, creating the checkpoint (Version 0, no State) if
	// there is none, and counting the invocation. If the checkpoint is
	// completed it is returned as it is, without a write and without a lease.
	// If another owner's lease has not expired at lease.Now, Claim returns a
	// [*ConflictError].
	Claim(ctx context.Context, key string, lease Lease) (Checkpoint, error)
	// Save writes cp as version cp.Version+1 and drops the lease, if owner
	// still holds the lease and the stored version is cp.Version; otherwise
	// it writes nothing and returns a [*ConflictError]. A store with an item
	// size limit returns a [*TooLargeError] before writing anything.
	Save(ctx context.Context, cp Checkpoint, owner string) error
	// Release drops owner's lease on key without changing the checkpoint, so
	// that a failed invocation can be retried at once. It does nothing if
	// owner no longer holds the lease.
	Release(ctx context.Context, key, owner string) error
}
