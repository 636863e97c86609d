package batch

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdakit/lambdakit/handler"
)

// Kinesis returns a Lambda handler for a Kinesis event-source mapping with
// ReportBatchItemFailures. Records run one at a time in shard order; the first
// failure stops the batch, and it and every later record are reported by
// sequence number. The mapping checkpoints at the lowest reported sequence
// number, so records after the first failure are delivered again in the next
// batch whatever this invocation did with them: running them would only
// process them twice.
func Kinesis(h RecordHandler[events.KinesisEventRecord], opts ...Option) handler.HandlerFunc {
	o := newOptions(opts)
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.KinesisEvent
		if err := decodeEvent(payload, &ev); err != nil {
			return nil, &handler.DecodeError{Type: "events.KinesisEvent", Err: err}
		}
		ids, err := processKinesis(ctx, &ev, h, &o)
		if err != nil {
			return nil, err
		}
		return appendResponse(nil, ids), nil
	}
}

// DynamoDB returns a Lambda handler for a DynamoDB Streams event-source
// mapping with ReportBatchItemFailures, with the ordering and checkpoint rules
// of [Kinesis].
func DynamoDB(h RecordHandler[events.DynamoDBEventRecord], opts ...Option) handler.HandlerFunc {
	o := newOptions(opts)
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.DynamoDBEvent
		if err := decodeEvent(payload, &ev); err != nil {
			return nil, &handler.DecodeError{Type: "events.DynamoDBEvent", Err: err}
		}
		ids, err := processDynamoDB(ctx, &ev, h, &o)
		if err != nil {
			return nil, err
		}
		return appendResponse(nil, ids), nil
	}
}

// ProcessKinesis runs h on an already decoded Kinesis event (see [Kinesis]).
func ProcessKinesis(ctx context.Context, ev *events.KinesisEvent, h RecordHandler[events.KinesisEventRecord], opts ...Option) (events.KinesisEventResponse, error) {
	o := newOptions(opts)
	ids, err := processKinesis(ctx, ev, h, &o)
	if err != nil {
		return events.KinesisEventResponse{}, err
	}
	resp := events.KinesisEventResponse{BatchItemFailures: make([]events.KinesisBatchItemFailure, len(ids))}
	for i, id := range ids {
		resp.BatchItemFailures[i].ItemIdentifier = id
	}
	return resp, nil
}

// ProcessDynamoDB runs h on an already decoded DynamoDB Streams event (see
// [DynamoDB]).
func ProcessDynamoDB(ctx context.Context, ev *events.DynamoDBEvent, h RecordHandler[events.DynamoDBEventRecord], opts ...Option) (events.DynamoDBEventResponse, error) {
	o := newOptions(opts)
	ids, err := processDynamoDB(ctx, ev, h, &o)
	if err != nil {
		return events.DynamoDBEventResponse{}, err
	}
	resp := events.DynamoDBEventResponse{BatchItemFailures: make([]events.DynamoDBBatchItemFailure, len(ids))}
	for i, id := range ids {
		resp.BatchItemFailures[i].ItemIdentifier = id
	}
	return resp, nil
}

func processKinesis(ctx context.Context, ev *events.KinesisEvent, h RecordHandler[events.KinesisEventRecord], o *options) ([]string, error) {
	if ev == nil || ev.Records == nil {
		return nil, &EventError{Want: sourceKinesis, Index: -1, Reason: "no Records"}
	}
	meta := make([]Record, len(ev.Records))
	for i := range ev.Records {
		r := &ev.Records[i]
		if r.EventSource != "" && r.EventSource != sourceKinesis {
			return nil, &EventError{Want: sourceKinesis, Index: i, Reason: "eventSource is " + r.EventSource}
		}
		if r.Kinesis.SequenceNumber == "" {
			return nil, &EventError{Want: sourceKinesis, Index: i, Reason: "no kinesis.sequenceNumber"}
		}
		meta[i] = Record{Index: i, BatchSize: len(ev.Records), ID: r.Kinesis.SequenceNumber, Group: r.Kinesis.PartitionKey,
			EventSource: sourceKinesis, EventSourceARN: r.EventSourceArn}
	}
	return runStream(ctx, ev.Records, h, o, meta, sourceKinesis)
}

func processDynamoDB(ctx context.Context, ev *events.DynamoDBEvent, h RecordHandler[events.DynamoDBEventRecord], o *options) ([]string, error) {
	if ev == nil || ev.Records == nil {
		return nil, &EventError{Want: sourceDynamoDB, Index: -1, Reason: "no Records"}
	}
	meta := make([]Record, len(ev.Records))
	for i := range ev.Records {
		r := &ev.Records[i]
		if r.EventSource != "" && r.EventSource != sourceDynamoDB {
			return nil, &EventError{Want: sourceDynamoDB, Index: i, Reason: "eventSource is " + r.EventSource}
		}
		if r.Change.SequenceNumber == "" {
			return nil, &EventError{Want: sourceDynamoDB, Index: i, Reason: "no dynamodb.SequenceNumber"}
		}
		meta[i] = Record{Index: i, BatchSize: len(ev.Records), ID: r.Change.SequenceNumber,
			EventSource: sourceDynamoDB, EventSourceARN: r.EventSourceArn}
	}
	return runStream(ctx, ev.Records, h, o, meta, sourceDynamoDB)
}

func runStream[R any](ctx context.Context, recs []R, h RecordHandler[R], o *options, meta []Record, kind string) ([]string, error) {
	p := plan{meta: meta, order: strict}
	errs := process(ctx, recs, h, o, &p)
	failed, err := settle(ctx, o, kind, meta, errs)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(failed))
	for k, i := range failed {
		ids[k] = meta[i].ID
	}
	return ids, nil
}

// decodeEvent decodes stream events with encoding/json: their records carry
// base64 data and DynamoDB attribute values with custom decoders, and the
// fast path is kept for SQS, where batches are large and bodies dominate.
func decodeEvent(payload []byte, v any) error {
	if len(payload) == 0 {
		return nil
	}
	return json.Unmarshal(payload, v)
}
