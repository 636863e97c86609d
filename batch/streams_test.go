package batch

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
)

func kinesisEvent(seqs ...string) *events.KinesisEvent {
	ev := &events.KinesisEvent{Records: []events.KinesisEventRecord{}}
	for _, s := range seqs {
		ev.Records = append(ev.Records, events.KinesisEventRecord{EventSource: "aws:kinesis",
			EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
			Kinesis:        events.KinesisRecord{SequenceNumber: s, PartitionKey: "pk-" + s, Data: []byte(s)}})
	}
	return ev
}

func dynamoEvent(seqs ...string) *events.DynamoDBEvent {
	ev := &events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{}}
	for _, s := range seqs {
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{EventSource: "aws:dynamodb",
			Change: events.DynamoDBStreamRecord{SequenceNumber: s}})
	}
	return ev
}

func TestStreamRules(t *testing.T) {
	tests := []struct {
		name    string
		seqs    []string
		fail    string
		opts    []Option
		want    []string
		ran     []string
		wantErr any
	}{
		{name: "all succeed", seqs: []string{"1", "2", "3"}, want: []string{}, ran: []string{"1", "2", "3"}},
		{name: "stop at first failure", seqs: []string{"1", "2", "3", "4"}, fail: "2", want: []string{"2", "3", "4"}, ran: []string{"1", "2"}},
		{name: "sequential despite concurrency", seqs: []string{"1", "2", "3", "4"}, fail: "3", opts: []Option{WithConcurrency(8)},
			want: []string{"3", "4"}, ran: []string{"1", "2", "3"}},
		{name: "first fails: all failed", seqs: []string{"1", "2"}, fail: "1", wantErr: new(*AllFailedError)},
		{name: "first fails: report all", seqs: []string{"1", "2"}, fail: "1", opts: []Option{WithAllFailed(ReportAll)},
			want: []string{"1", "2"}, ran: []string{"1"}},
		{name: "empty", seqs: []string{}, want: []string{}, ran: nil},
		{name: "no sequence number", seqs: []string{"1", ""}, wantErr: new(*EventError)},
	}
	for _, kind := range []string{"kinesis", "dynamodb"} {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				var ran []string
				handle := func(seq string) error {
					ran = append(ran, seq)
					if seq == tt.fail {
						return errors.New("fail " + seq)
					}
					return nil
				}
				opts := append([]Option{quiet}, tt.opts...)
				var got []string
				var err error
				if kind == "kinesis" {
					var resp events.KinesisEventResponse
					resp, err = ProcessKinesis(t.Context(), kinesisEvent(tt.seqs...), func(ctx context.Context, r events.KinesisEventRecord) error {
						return handle(r.Kinesis.SequenceNumber)
					}, opts...)
					got = []string{}
					for _, f := range resp.BatchItemFailures {
						got = append(got, f.ItemIdentifier)
					}
				} else {
					var resp events.DynamoDBEventResponse
					resp, err = ProcessDynamoDB(t.Context(), dynamoEvent(tt.seqs...), func(ctx context.Context, r events.DynamoDBEventRecord) error {
						return handle(r.Change.SequenceNumber)
					}, opts...)
					got = []string{}
					for _, f := range resp.BatchItemFailures {
						got = append(got, f.ItemIdentifier)
					}
				}
				if tt.wantErr != nil {
					if err == nil || !errors.As(err, tt.wantErr) {
						t.Fatalf("error %v, want %T", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("reported (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.ran, ran); diff != "" {
					t.Errorf("ran (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestStreamSamples runs the raw handlers on aws-lambda-go's sample events.
func TestStreamSamples(t *testing.T) {
	kin, err := os.ReadFile("testdata/kinesis-event.json")
	if err != nil {
		t.Fatal(err)
	}
	ddb, err := os.ReadFile("testdata/dynamodb-event.json")
	if err != nil {
		t.Fatal(err)
	}
	sqs, err := os.ReadFile("testdata/sqs-event.json")
	if err != nil {
		t.Fatal(err)
	}
	var kev events.KinesisEvent
	var dev events.DynamoDBEvent
	if err := json.Unmarshal(kin, &kev); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ddb, &dev); err != nil {
		t.Fatal(err)
	}
	lastKin := kev.Records[len(kev.Records)-1].Kinesis.SequenceNumber
	lastDDB := dev.Records[len(dev.Records)-1].Change.SequenceNumber

	// The DynamoDB sample repeats one sequence number, so the last record is
	// failed by position; its sequence number is reported once.
	failLast := func(ctx context.Context) error {
		if r, _ := RecordFromContext(ctx); r.Index == r.BatchSize-1 {
			return errors.New("fail")
		}
		return nil
	}
	kh := Kinesis(func(ctx context.Context, r events.KinesisEventRecord) error { return failLast(ctx) }, quiet)
	dh := DynamoDB(func(ctx context.Context, r events.DynamoDBEventRecord) error { return failLast(ctx) }, quiet)
	tests := []struct {
		name    string
		h       handler.HandlerFunc
		payload []byte
		want    string
		wantErr any
	}{
		{"kinesis", kh, kin, `{"batchItemFailures":[{"itemIdentifier":"` + lastKin + `"}]}`, nil},
		{"dynamodb", dh, ddb, `{"batchItemFailures":[{"itemIdentifier":"` + lastDDB + `"}]}`, nil},
		{"sqs event to kinesis", kh, sqs, "", new(*EventError)},
		{"kinesis event to dynamodb", dh, kin, "", new(*EventError)},
		{"bad json", kh, []byte(`{`), "", new(*handler.DecodeError)},
		{"empty payload", dh, nil, "", new(*EventError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.h.Invoke(t.Context(), tt.payload)
			if tt.wantErr != nil {
				if err == nil || !errors.As(err, tt.wantErr) {
					t.Fatalf("error %v, want %T", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("response %s, want %s", got, tt.want)
			}
		})
	}
}
