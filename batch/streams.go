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
	return streamHandler(kinesisStream(), h, opts)
}

// DynamoDB returns a Lambda handler for a DynamoDB Streams event-source
// mapping with ReportBatchItemFailures, with the ordering and checkpoint rules
// of [Kinesis].
func DynamoDB(h RecordHandler[events.DynamoDBEventRecord], opts ...Option) handler.HandlerFunc {
	return streamHandler(dynamoDBStream(), h, opts)
}

// ProcessKinesis runs h on an already decoded Kinesis event (see [Kinesis]).
func ProcessKinesis(ctx context.Context, ev *events.KinesisEvent, h RecordHandler[events.KinesisEventRecord], opts ...Option) (events.KinesisEventResponse, error) {
	o := newOptions(opts)
	ids, err := processStream(ctx, kinesisStream(), ev, h, &o)
	if err != nil {
		return events.KinesisEventResponse{}, err
	}
	return events.KinesisEventResponse{BatchItemFailures: itemFailures(ids,
		func(id string) events.KinesisBatchItemFailure {
			return events.KinesisBatchItemFailure{ItemIdentifier: id}
		})}, nil
}

// ProcessDynamoDB runs h on an already decoded DynamoDB Streams event (see
// [DynamoDB]).
func ProcessDynamoDB(ctx context.Context, ev *events.DynamoDBEvent, h RecordHandler[events.DynamoDBEventRecord], opts ...Option) (events.DynamoDBEventResponse, error) {
	o := newOptions(opts)
	ids, err := processStream(ctx, dynamoDBStream(), ev, h, &o)
	if err != nil {
		return events.DynamoDBEventResponse{}, err
	}
	return events.DynamoDBEventResponse{BatchItemFailures: itemFailures(ids,
		func(id string) events.DynamoDBBatchItemFailure {
			return events.DynamoDBBatchItemFailure{ItemIdentifier: id}
		})}, nil
}

// itemFailures turns reported ids into a response's failure list; the three
// event sources have the same list in three types.
func itemFailures[F any](ids []string, item func(id string) F) []F {
	out := make([]F, len(ids))
	for i, id := range ids {
		out[i] = item(id)
	}
	return out
}

// stream describes a kind of stream event (event E of records R) for the code
// Kinesis and DynamoDB Streams share.
type stream[E, R any] struct {
	source   string // the records' eventSource
	typeName string // E, for a DecodeError
	seqField string // where the sequence number lives, for an EventError
	records  func(*E) []R
	// meta returns a record's eventSource, sequence number, ordering key and
	// event source ARN.
	meta func(*R) (source, seq, key, arn string)
}

func kinesisStream() stream[events.KinesisEvent, events.KinesisEventRecord] {
	return stream[events.KinesisEvent, events.KinesisEventRecord]{
		source: sourceKinesis, typeName: "events.KinesisEvent", seqField: "kinesis.sequenceNumber",
		records: func(e *events.KinesisEvent) []events.KinesisEventRecord { return e.Records },
		meta: func(r *events.KinesisEventRecord) (string, string, string, string) {
			return r.EventSource, r.Kinesis.SequenceNumber, r.Kinesis.PartitionKey, r.EventSourceArn
		},
	}
}

func dynamoDBStream() stream[events.DynamoDBEvent, events.DynamoDBEventRecord] {
	return stream[events.DynamoDBEvent, events.DynamoDBEventRecord]{
		source: sourceDynamoDB, typeName: "events.DynamoDBEvent", seqField: "dynamodb.SequenceNumber",
		records: func(e *events.DynamoDBEvent) []events.DynamoDBEventRecord { return e.Records },
		meta: func(r *events.DynamoDBEventRecord) (string, string, string, string) {
			return r.EventSource, r.Change.SequenceNumber, "", r.EventSourceArn
		},
	}
}

func streamHandler[E, R any](s stream[E, R], h RecordHandler[R], opts []Option) handler.HandlerFunc {
	o := newOptions(opts)
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev E
		if err := decodeEvent(payload, &ev); err != nil {
			return nil, &handler.DecodeError{Type: s.typeName, Err: err}
		}
		ids, err := processStream(ctx, s, &ev, h, &o)
		if err != nil {
			return nil, err
		}
		return appendResponse(nil, ids), nil
	}
}

func processStream[E, R any](ctx context.Context, s stream[E, R], ev *E, h RecordHandler[R], o *options) ([]string, error) {
	var recs []R
	if ev != nil {
		recs = s.records(ev)
	}
	if recs == nil {
		return nil, &EventError{Want: s.source, Index: -1, Reason: "no Records"}
	}
	meta := make([]Record, len(recs))
	for i := range recs {
		source, seq, key, arn := s.meta(&recs[i])
		if source != "" && source != s.source {
			return nil, &EventError{Want: s.source, Index: i, Reason: "eventSource is " + source}
		}
		if seq == "" {
			return nil, &EventError{Want: s.source, Index: i, Reason: "no " + s.seqField}
		}
		meta[i] = Record{Index: i, BatchSize: len(recs), ID: seq, Group: key, EventSource: s.source, EventSourceARN: arn}
	}
	return processIDs(ctx, recs, h, o, &plan{meta: meta, order: strict}, s.source)
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
