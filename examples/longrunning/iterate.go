package longrunning

import (
	"context"
	"fmt"
	"hash/crc32"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/iterator"
)

// IterateInput is the Iterate task's payload.
type IterateInput struct {
	// JobID is the checkpoint key. It stays the same when the loop continues
	// as a new execution, so the new execution resumes the job.
	JobID string `json:"jobId"`
	// TotalItems is the number of records the job processes.
	TotalItems int `json:"totalItems"`
}

// JobState is the checkpointed state: how far the job got, and what it has
// computed so far.
type JobState struct {
	Total    int    `json:"total"`
	Next     int    `json:"next"`
	Checksum uint32 `json:"checksum"`
}

// Progress is the iterator output's Result, which the state machine passes
// to the report.
type Progress struct {
	Processed int    `json:"processed"`
	Total     int    `json:"total"`
	Checksum  string `json:"checksum"`
}

// StepCost is how long processing one record takes: the stand-in for real
// work such as a call to another service.
const StepCost = 20 * time.Millisecond

// MaxItems bounds a job's size, so that a typo in the input cannot start a
// job of years.
const MaxItems = 1_000_000

// InvalidJobError reports an Iterate input that names no job or a size out of
// range. The state machine does not retry it.
type InvalidJobError struct {
	JobID  string
	Reason string
}

func (e *InvalidJobError) Error() string {
	return fmt.Sprintf("longrunning: job %q: %s", e.JobID, e.Reason)
}

type totalKey struct{}

// Iterate is the Iterate function: an [iterator.Iterator] over [JobState]
// whose checkpoints are kept in store.
type Iterate struct {
	it *iterator.Iterator[JobState]
}

// NewIterateWith returns the Iterate function over store, with opts for the
// iterator (margin, continue-as-new threshold).
func NewIterateWith(store iterator.Store, opts ...iterator.Option) *Iterate {
	opts = append([]iterator.Option{iterator.WithResult(func(s JobState) any {
		return Progress{Processed: s.Next, Total: s.Total, Checksum: fmt.Sprintf("%08x", s.Checksum)}
	})}, opts...)
	return &Iterate{it: iterator.New(store, step, opts...)}
}

// NewIterate builds the Iterate function from the Lambda environment: the
// checkpoint table is CHECKPOINT_TABLE and checkpoints expire after
// CHECKPOINT_TTL_DAYS days (default 7).
func NewIterate(cfg aws.Config, getenv func(string) string) (lambda.Handler, error) {
	table := getenv("CHECKPOINT_TABLE")
	if table == "" {
		return nil, fmt.Errorf("longrunning: CHECKPOINT_TABLE is not set")
	}
	ttlDays := 7
	if v := getenv("CHECKPOINT_TTL_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("longrunning: CHECKPOINT_TTL_DAYS %q is not a positive number of days", v)
		}
		ttlDays = n
	}
	store := iterator.NewDynamoDBStore(dynamodb.NewFromConfig(cfg), table, iterator.WithTTL(time.Duration(ttlDays)*24*time.Hour))
	return NewIterateWith(store).Handler(handler.Defaults()...), nil
}

// Handler returns the function's Lambda handler, decorated with mws.
func (f *Iterate) Handler(mws ...handler.Middleware) handler.HandlerFunc {
	return handler.New(f.Run, mws...)
}

// Run does one invocation's share of the job.
func (f *Iterate) Run(ctx context.Context, in IterateInput) (iterator.Output, error) {
	if in.JobID == "" {
		return iterator.Output{}, &InvalidJobError{Reason: "no jobId"}
	}
	if in.TotalItems < 1 || in.TotalItems > MaxItems {
		return iterator.Output{}, &InvalidJobError{JobID: in.JobID, Reason: fmt.Sprintf("totalItems %d is outside [1, %d]", in.TotalItems, MaxItems)}
	}
	return f.it.Run(context.WithValue(ctx, totalKey{}, in.TotalItems), in.JobID)
}

// step processes one record. The job's size comes from the invocation's
// input through ctx and is fixed in the state on the first step, so a later
// execution cannot change the size of a job under way.
func step(ctx context.Context, s *JobState) (bool, error) {
	if s.Total == 0 {
		s.Total, _ = ctx.Value(totalKey{}).(int)
	}
	if s.Next >= s.Total {
		return true, nil
	}
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case <-time.After(StepCost):
	}
	s.Checksum = crc32.Update(s.Checksum, crc32.IEEETable, []byte(strconv.Itoa(s.Next)))
	s.Next++
	return s.Next >= s.Total, nil
}
