package esm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/lambdakit/lambdakit/localstack/internal/invoke"
)

// SQSAPI is the part of the SQS client a [Mapping] calls. *sqs.Client satisfies it; tests may pass a
// fake.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, params *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, params *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	GetQueueAttributes(ctx context.Context, params *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, params *sqs.ChangeMessageVisibilityBatchInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

var (
	// ErrFunctionTimeout is wrapped by the error reported for an invocation that ran past its function timeout. It
	// is the same value as runtimeapi.ErrFunctionTimeout.
	ErrFunctionTimeout = invoke.ErrFunctionTimeout
	// ErrInvalidBatchResponse is wrapped by the error reported when, with ReportBatchItemFailures on, a function's
	// response breaks the rules of the batchItemFailures format; Lambda then treats the whole batch as failed.
	ErrInvalidBatchResponse = errors.New("localstack: invalid batchItemFailures response")
	// ErrInvalidMapping is wrapped by the errors of [New] and [Mapping.Run] for a
	// configuration Lambda's CreateEventSourceMapping would reject.
	ErrInvalidMapping = errors.New("localstack: invalid event source mapping")
)

// Limits Lambda applies to SQS event-source mappings
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
const (
	maxBatchSizeFIFO     = 10
	maxBatchSizeStandard = 10000
	maxBatchingWindow    = 300 * time.Second
	maxFunctionTimeout   = 900 * time.Second
	// maxSyncPayload is the 6 MB limit of a synchronous invocation's request.
	maxSyncPayload = 6 * 1024 * 1024
	// receiveReserve is what one more ReceiveMessage of ten 256 KiB messages may add to a batch; gathering stops
	// before it could push the event past maxSyncPayload.
	receiveReserve = 10 * 256 * 1024
)

// Internal timings. pollWait is short (Lambda long-polls for 20 s) because stopping the mapping waits for the
// receive in flight: a long poll abandoned by the client stays open on the server and would take messages that
// nobody then sees until their visibility timeout expires, so a receive is never cancelled, only bounded.
const (
	pollWait      = 1 * time.Second
	emptyPollNap  = 50 * time.Millisecond
	errorBackoff  = 500 * time.Millisecond
	settleTimeout = 30 * time.Second
	// receiveMargin is how much longer than its long-poll wait one ReceiveMessage may take before it is abandoned.
	receiveMargin = 5 * time.Second
)

// Option configures a [Mapping].
type Option func(*options)

type options struct {
	batchSize      int
	window         time.Duration
	maxConcurrency int
	reportFailures bool
	timeout        time.Duration
	functionARN    string
	logger         *slog.Logger
	onInvocation   func(Invocation)
}

// WithBatchSize sets the most messages per invocation: 1 to 10 for FIFO queues, 1 to 10,000 for standard queues,
// where more than 10 needs a batching window of at least one second, as Lambda requires. Default 10.
func WithBatchSize(n int) Option { return func(o *options) { o.batchSize = n } }

// WithBatchingWindow sets how long the mapping keeps gathering messages after the first one before it invokes
// the function with a batch smaller than the batch size (MaximumBatchingWindowInSeconds). 0 to 300 s; default 0,
// which invokes as soon as a receive returns anything.
func WithBatchingWindow(d time.Duration) Option {
	return func(o *options) { o.window = d }
}

// WithMaxConcurrency sets how many invocations may run at once (the mapping's ScalingConfig.MaximumConcurrency).
// Lambda's minimum is 2; the local mapping accepts 1 so that tests can run batches strictly one after another.
// Default 5, the number of pollers Lambda starts with.
func WithMaxConcurrency(n int) Option { return func(o *options) { o.maxConcurrency = n } }

// WithReportBatchItemFailures turns FunctionResponseTypes ReportBatchItemFailures on or off. Default off: any
// returned value means the whole batch succeeded.
func WithReportBatchItemFailures(on bool) Option {
	return func(o *options) { o.reportFailures = on }
}

// WithTimeout sets the function timeout that becomes each invocation's ctx deadline. An invocation still
// running at the deadline fails its whole batch, as a Lambda timeout does; its goroutine cannot be killed and is
// left to finish, its result ignored. The queue's visibility timeout must not be shorter, or Run fails as
// CreateEventSourceMapping does. Default 3 s, Lambda's default.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithFunctionARN sets the invoked function ARN the handler finds in [lambdacontext.LambdaContext]. Default
// arn:aws:lambda:<queue region>:<queue account>:function:<queue name>-consumer.
func WithFunctionARN(arn string) Option {
	return func(o *options) { o.functionARN = arn }
}

// WithLogger sets where the mapping logs failed batches and SQS errors. Default [slog.Default].
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithOnInvocation registers fn to be called after each invocation is settled, from the invoking goroutine, so fn
// must be safe for concurrent use when the maximum concurrency is above 1. Tests and demos use it to watch the
// mapping.
func WithOnInvocation(fn func(Invocation)) Option {
	return func(o *options) { o.onInvocation = fn }
}

// Invocation describes one settled invocation of a [Mapping].
type Invocation struct {
	// RequestID is the request id the handler saw in its [lambdacontext.LambdaContext].
	RequestID string
	// Event is the event the handler received.
	Event events.SQSEvent
	// Response is what the handler returned; nil when it returned an error, panicked or timed out.
	Response []byte
	// Err is why the whole batch failed: the handler's error, a *[handler.PanicError], an error wrapping
	// [ErrFunctionTimeout] or [ErrInvalidBatchResponse]. It is nil when the function succeeded, even if it
	// reported some items as failed.
	Err error
	// Failed lists, in batch order, the ids of the messages that were not deleted: all of them when Err is set,
	// the reported ones otherwise.
	Failed []string
	// Deleted lists, in batch order, the ids of the messages the mapping deleted from the queue.
	Deleted []string
	// Duration is how long the handler ran, or the timeout.
	Duration time.Duration
}

// Mapping polls an SQS queue and invokes a Lambda handler with batches of its messages, applying the
// handler's answer the way Lambda's SQS event-source mapping does
// (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). Create it with [New] and start
// it with [Mapping.Run]. The dead-letter queue is the source queue's own redrive policy: the mapping
// never moves messages itself.
type Mapping struct {
	client   SQSAPI
	queueURL string
	handler  lambda.Handler
	opts     options
	running  atomic.Bool
}

// New returns a mapping from the queue at queueURL to h. It makes no AWS call; [Run] reads the
// queue's attributes. A FIFO queue is recognised by its FifoQueue attribute, as Lambda does, never by its name; Run checks the
// batch size against the FIFO limit of 10.
func New(client SQSAPI, queueURL string, h lambda.Handler, opts ...Option) (*Mapping, error) {
	o := options{
		batchSize:      10,
		maxConcurrency: 5,
		timeout:        invoke.DefaultTimeout,
		logger:         slog.Default(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	if client == nil || h == nil || queueURL == "" {
		return nil, fmt.Errorf("%w: client, queue URL and handler are required", ErrInvalidMapping)
	}
	switch {
	case o.batchSize < 1 || o.batchSize > maxBatchSizeStandard:
		return nil, fmt.Errorf("%w: batch size %d is outside 1..%d", ErrInvalidMapping, o.batchSize, maxBatchSizeStandard)
	case o.window < 0 || o.window > maxBatchingWindow:
		return nil, fmt.Errorf("%w: batching window %s is outside 0..%s", ErrInvalidMapping, o.window, maxBatchingWindow)
	case o.batchSize > 10 && o.window < time.Second:
		return nil, fmt.Errorf("%w: a batch size above 10 needs a batching window of at least 1s", ErrInvalidMapping)
	case o.maxConcurrency < 1:
		return nil, fmt.Errorf("%w: maximum concurrency %d is below 1", ErrInvalidMapping, o.maxConcurrency)
	case o.timeout <= 0 || o.timeout > maxFunctionTimeout:
		return nil, fmt.Errorf("%w: function timeout %s is outside (0, %s]", ErrInvalidMapping, o.timeout, maxFunctionTimeout)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return &Mapping{client: client, queueURL: queueURL, handler: h, opts: o}, nil
}

// queueInfo is what Run learns about the queue before polling.
type queueInfo struct {
	url, arn, name, functionARN string
	visibility                  time.Duration
}

// Run polls the queue and invokes the handler until ctx is done. Then it stops polling (the receive in flight, at
// most about a second long, finishes first), lets the invocations in flight finish (each is bounded by the function
// timeout) and settles them, makes messages it had received but not yet handed to the function visible again, and
// returns nil. It never deletes a message whose invocation did not
// succeed. Receive and delete errors are logged and retried; Run returns an error only when it cannot start:
// the queue's attributes cannot be read, the queue's visibility timeout is shorter than the function timeout, or
// the mapping is already running.
func (m *Mapping) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: Run is already running", ErrInvalidMapping)
	}
	defer m.running.Store(false)

	q, err := m.queueInfo(ctx)
	if err != nil {
		return err
	}
	// Settling must outlive ctx: an invocation that finishes after the cancellation still deletes what succeeded.
	settleCtx := context.WithoutCancel(ctx)
	slots := make(chan struct{}, m.opts.maxConcurrency)
	var wg sync.WaitGroup
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil
		}
		batch := m.gather(ctx, q)
		if ctx.Err() != nil {
			m.release(settleCtx, q, batch)
			<-slots
			wg.Wait()
			return nil
		}
		if len(batch) == 0 {
			<-slots
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			m.invoke(settleCtx, q, batch)
		}()
	}
}

func (m *Mapping) queueInfo(ctx context.Context) (queueInfo, error) {
	out, err := m.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(m.queueURL),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameQueueArn, types.QueueAttributeNameVisibilityTimeout, types.QueueAttributeNameFifoQueue,
		},
	})
	if err != nil {
		return queueInfo{}, fmt.Errorf("esm: reading attributes of %s: %w", m.queueURL, err)
	}
	arn := out.Attributes[string(types.QueueAttributeNameQueueArn)]
	vis, err := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameVisibilityTimeout)])
	if err != nil {
		return queueInfo{}, fmt.Errorf("esm: queue %s has no usable VisibilityTimeout: %w", m.queueURL, err)
	}
	// Lambda refuses a mapping whose queue would make messages visible again while the function still runs.
	if time.Duration(vis)*time.Second < m.opts.timeout {
		return queueInfo{}, fmt.Errorf("%w: queue visibility timeout %ds is less than the function timeout %s", ErrInvalidMapping, vis, m.opts.timeout)
	}
	parsed, err := awsarn.Parse(arn)
	if err != nil {
		return queueInfo{}, fmt.Errorf("esm: queue %s has no usable QueueArn %q: %w", m.queueURL, arn, err)
	}
	fifo := out.Attributes[string(types.QueueAttributeNameFifoQueue)] == "true"
	if fifo && m.opts.batchSize > maxBatchSizeFIFO {
		return queueInfo{}, fmt.Errorf("%w: batch size %d is outside 1..%d for a FIFO queue", ErrInvalidMapping, m.opts.batchSize, maxBatchSizeFIFO)
	}
	name := parsed.Resource
	fn := m.opts.functionARN
	if fn == "" {
		fn = fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s-consumer", parsed.Partition, parsed.Region, parsed.AccountID, strings.TrimSuffix(name, ".fifo"))
	}
	return queueInfo{url: m.queueURL, arn: arn, name: name, functionARN: fn, visibility: time.Duration(vis) * time.Second}, nil
}

// gather receives one batch: it returns as soon as it holds the batch size, the batching window since the first
// message has passed, the payload is close to the 6 MB invocation limit, or ctx is done. It never splits what one
// ReceiveMessage returned, which keeps a FIFO batch in group order: SQS returns a group's messages in order and
// returns none of a group whose earlier messages are in flight.
//
// The window is cut short at half the visibility timeout, so that the first messages do not become visible again
// while the batch is still being gathered; should a message come back anyway, the batch keeps it once, with its
// newest receipt handle, which is the one a delete needs.
func (m *Mapping) gather(ctx context.Context, q queueInfo) []types.Message {
	var (
		batch    []types.Message
		size     int
		deadline time.Time
	)
	for len(batch) < m.opts.batchSize && ctx.Err() == nil {
		wait := pollWait
		if len(batch) > 0 {
			remaining := time.Until(deadline)
			if m.opts.window == 0 || remaining <= 0 || size > maxSyncPayload-receiveReserve {
				break
			}
			wait = min(wait, remaining)
		}
		out, err := m.receive(ctx, q, wait, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(q.url),
			MaxNumberOfMessages:         int32(min(10, m.opts.batchSize-len(batch))),
			WaitTimeSeconds:             int32(wait / time.Second),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			m.opts.logger.WarnContext(ctx, "esm: receive failed; retrying", "queue", q.name, "error", err)
			if len(batch) > 0 {
				break
			}
			sleep(ctx, errorBackoff)
			continue
		}
		if len(out.Messages) == 0 {
			if len(batch) > 0 && wait < time.Second {
				// A short poll came back empty: pause instead of spinning until the window closes.
				sleep(ctx, min(emptyPollNap, time.Until(deadline)))
			}
			continue
		}
		if len(batch) == 0 {
			deadline = time.Now().Add(min(m.opts.window, q.visibility/2))
		}
		for _, msg := range out.Messages {
			if i := slices.IndexFunc(batch, func(b types.Message) bool { return aws.ToString(b.MessageId) == aws.ToString(msg.MessageId) }); i >= 0 {
				batch[i] = msg
				continue
			}
			size += len(aws.ToString(msg.Body)) + 1024
			batch = append(batch, msg)
		}
	}
	return batch
}

// invoke runs the handler on batch and settles the answer.
func (m *Mapping) invoke(ctx context.Context, q queueInfo, batch []types.Message) {
	ev := NewSQSEvent(q.arn, batch)
	requestID := invoke.NewRequestID()
	inv := Invocation{RequestID: requestID, Event: ev}
	payload, err := marshalSQSEvent(ev)
	if err == nil {
		start := time.Now()
		inv.Response, err = invoke.Call(ctx, m.handler, invoke.Request{
			RequestID:   requestID,
			FunctionARN: q.functionARN,
			Timeout:     m.opts.timeout,
			Payload:     payload,
		})
		inv.Duration = time.Since(start)
	}

	ids := make(map[string]bool, len(batch))
	for _, msg := range batch {
		ids[aws.ToString(msg.MessageId)] = true
	}
	var failed map[string]bool
	switch {
	case err != nil:
		inv.Response = nil
		failed = ids
	case m.opts.reportFailures:
		reported, perr := parseBatchResponse(inv.Response, ids)
		if perr != nil {
			err = perr
			failed = ids
			break
		}
		failed = make(map[string]bool, len(reported))
		for _, id := range reported {
			failed[id] = true
		}
	}
	inv.Err = err

	var toDelete []types.Message
	for _, msg := range batch {
		id := aws.ToString(msg.MessageId)
		if failed[id] {
			inv.Failed = append(inv.Failed, id)
		} else {
			toDelete = append(toDelete, msg)
		}
	}
	inv.Deleted = m.delete(ctx, q, toDelete)

	if err != nil {
		m.opts.logger.WarnContext(ctx, "esm: batch failed; its messages return after the visibility timeout",
			"queue", q.name, "requestId", requestID, "messages", len(batch), "error", err)
	} else if len(inv.Failed) > 0 {
		m.opts.logger.InfoContext(ctx, "esm: function reported failed items",
			"queue", q.name, "requestId", requestID, "messages", len(batch), "failed", len(inv.Failed))
	}
	if m.opts.onInvocation != nil {
		m.opts.onInvocation(inv)
	}
}

// receive is one ReceiveMessage bounded by the long poll's wait plus [receiveMargin], so that an endpoint that
// stops answering shows up in the log instead of stalling the mapping silently. It outlives ctx: cancelling a
// long poll would not stop it on the server, and what it then received would stay hidden from everyone for the
// visibility timeout; finished, its messages go back to the queue with the rest of the gathered batch.
func (m *Mapping) receive(ctx context.Context, q queueInfo, wait time.Duration, in *sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait+receiveMargin)
	defer cancel()
	out, err := m.client.ReceiveMessage(rctx, in)
	if err != nil && rctx.Err() != nil {
		m.opts.logger.WarnContext(ctx, "esm: receive did not return within its deadline; the endpoint may be stuck",
			"queue", q.name, "deadline", wait+receiveMargin)
	}
	return out, err
}

// delete removes msgs from the queue in batches of ten and returns the ids SQS confirmed, in order.
func (m *Mapping) delete(ctx context.Context, q queueInfo, msgs []types.Message) []string {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	var deleted []string
	for chunk := range slices.Chunk(msgs, 10) {
		entries := make([]types.DeleteMessageBatchRequestEntry, len(chunk))
		for i, msg := range chunk {
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: msg.ReceiptHandle}
		}
		out, err := m.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err != nil {
			m.opts.logger.WarnContext(ctx, "esm: delete failed; the messages will be received again",
				"queue", q.name, "messages", len(chunk), "error", err)
			continue
		}
		ok := make(map[string]bool, len(out.Successful))
		for _, s := range out.Successful {
			ok[aws.ToString(s.Id)] = true
		}
		for _, f := range out.Failed {
			m.opts.logger.WarnContext(ctx, "esm: delete of one message failed",
				"queue", q.name, "code", aws.ToString(f.Code), "message", aws.ToString(f.Message))
		}
		for i, msg := range chunk {
			if ok[strconv.Itoa(i)] {
				deleted = append(deleted, aws.ToString(msg.MessageId))
			}
		}
	}
	return deleted
}

// release makes messages that were received but never handed to the function visible again, so that stopping
// the mapping does not hide them for a whole visibility timeout.
func (m *Mapping) release(ctx context.Context, q queueInfo, msgs []types.Message) {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for chunk := range slices.Chunk(msgs, 10) {
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(chunk))
		for i, msg := range chunk {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: msg.ReceiptHandle}
		}
		if _, err := m.client.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q.url), Entries: entries}); err != nil {
			m.opts.logger.WarnContext(ctx, "esm: releasing unprocessed messages failed; they return after the visibility timeout",
				"queue", q.name, "messages", len(chunk), "error", err)
		}
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
