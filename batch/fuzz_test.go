package batch

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
)

// FuzzProcess feeds arbitrary payloads and record outcomes (succeed, fail,
// panic) under arbitrary options to the raw SQS handler and checks the answer:
// a typed error for what is not an SQS batch, else a response the mapping
// accepts (identifiers from the batch, none empty, none twice) that reports
// exactly the records that did not succeed, so none is lost and none is
// retried needlessly; in strict FIFO mode nothing runs after a failure.
func FuzzProcess(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s), []byte{0, 1, 2}, byte(0))
	}
	f.Add(sqsPayload(6, 32, fifoARN), []byte{0, 0, 1}, byte(0))
	f.Add(sqsPayload(6, 32, fifoARN), []byte{0, 1}, byte(0b0100))
	f.Add(sqsPayload(12, 32, fifoARN), []byte{0, 2, 0, 1}, byte(0b110100))
	f.Add(sqsPayload(12, 32, stdARN), []byte{1}, byte(0b1000))
	f.Add(sqsPayload(12, 32, stdARN), []byte{1}, byte(0))
	f.Add(sqsPayload(12, 32, stdARN), []byte{0, 0, 2}, byte(0b110011))
	f.Add([]byte(`{"Records":[{"messageId":"a"},{"messageId":"a"},{"messageId":"b","eventSourceARN":"x.fifo"}]}`), []byte{0, 1, 0}, byte(0))

	f.Fuzz(func(t *testing.T, payload, outcomes []byte, mode byte) {
		opts := []Option{quiet, WithConcurrency(1 << (mode >> 4 & 3))}
		if mode&1 != 0 {
			opts = append(opts, WithFIFO(mode&2 != 0))
		}
		if mode&4 != 0 {
			opts = append(opts, WithSkipGroupOnFailure())
		}
		if mode&8 != 0 {
			opts = append(opts, WithAllFailed(ReportAll))
		}
		var mu sync.Mutex
		called := map[int]bool{} // index -> succeeded
		var order []int
		h := func(ctx context.Context, m events.SQSMessage) error {
			r, ok := RecordFromContext(ctx)
			if !ok {
				t.Error("no record metadata in ctx")
			}
			var o byte
			if len(outcomes) > 0 {
				o = outcomes[r.Index%len(outcomes)] % 3
			}
			mu.Lock()
			called[r.Index] = o == 0
			order = append(order, r.Index)
			mu.Unlock()
			switch o {
			case 1:
				return errors.New("fail")
			case 2:
				panic("boom")
			}
			return nil
		}
		resp, err := SQS(h, opts...).Invoke(t.Context(), payload)

		var ev events.SQSEvent
		if len(payload) > 0 {
			if jerr := json.Unmarshal(payload, &ev); jerr != nil {
				if de := new(handler.DecodeError); !errors.As(err, &de) {
					t.Fatalf("payload encoding/json rejects: error %v, want *handler.DecodeError", err)
				}
				return
			}
		}
		bad := ev.Records == nil
		fifo := false
		for _, r := range ev.Records {
			bad = bad || r.MessageId == "" || (r.EventSource != "" && r.EventSource != "aws:sqs")
			fifo = fifo || strings.HasSuffix(r.EventSourceARN, ".fifo")
		}
		if bad {
			if ee := new(EventError); !errors.As(err, &ee) {
				t.Fatalf("not an SQS batch: error %v, want *EventError", err)
			}
			if len(called) > 0 {
				t.Fatal("records ran for an invalid event")
			}
			return
		}
		if mode&1 != 0 {
			fifo = mode&2 != 0
		}

		// The ids that must be reported: any record that did not succeed.
		wantSet := map[string]bool{}
		for i, r := range ev.Records {
			if ok, ran := called[i]; !ran || !ok {
				wantSet[r.MessageId] = true
			}
		}
		if err != nil {
			var all *AllFailedError
			if !errors.As(err, &all) || mode&8 != 0 || len(ev.Records) == 0 {
				t.Fatalf("unexpected error %v", err)
			}
			for i := range ev.Records {
				if called[i] {
					t.Fatalf("AllFailedError but record %d succeeded", i)
				}
			}
			return
		}
		var allIDs []string
		for _, r := range ev.Records {
			allIDs = append(allIDs, r.MessageId)
		}
		got := checkResponse(t, payload, resp, allIDs)
		gotSet := map[string]bool{}
		for _, id := range got {
			gotSet[id] = true
		}
		if diff := cmp.Diff(wantSet, gotSet); diff != "" {
			t.Fatalf("reported ids differ from the records that did not succeed (-want +got):\n%s", diff)
		}
		if fifo && mode&4 == 0 {
			for k, i := range order {
				if i != k {
					t.Fatalf("strict FIFO ran records out of order: %v", order)
				}
				if !called[i] && k != len(order)-1 {
					t.Fatalf("strict FIFO ran records after a failure: %v", order)
				}
			}
		}
	})
}

// FuzzProcessStreams is FuzzProcess for Kinesis and DynamoDB Streams: the
// answer reports exactly the first failed record and every later one (by
// sequence number, each once), nothing runs after a failure, and an event of
// another kind is a typed error.
func FuzzProcessStreams(f *testing.F) {
	for _, name := range []string{"testdata/kinesis-event.json", "testdata/dynamodb-event.json", "testdata/sqs-event.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte{0, 1}, byte(0))
		f.Add(b, []byte{1}, byte(1))
		f.Add(b, []byte{0}, byte(2))
	}
	f.Add([]byte(`{"Records":[{"kinesis":{"sequenceNumber":"1"}},{"kinesis":{"sequenceNumber":"1"}}]}`), []byte{0, 1}, byte(0))
	f.Add([]byte(`{"Records":[{"dynamodb":{"SequenceNumber":"2"}},{"eventSource":"aws:sqs"}]}`), []byte{0}, byte(1))
	f.Add([]byte(`{}`), []byte{}, byte(0))

	f.Fuzz(func(t *testing.T, payload, outcomes []byte, mode byte) {
		kinesis := mode&1 == 0
		opts := []Option{quiet, WithConcurrency(int(mode>>2&7) + 1)}
		if mode&2 != 0 {
			opts = append(opts, WithAllFailed(ReportAll))
		}
		var order []int
		outcome := func(ctx context.Context) error {
			r, _ := RecordFromContext(ctx)
			order = append(order, r.Index) // strict: one record at a time
			if len(outcomes) > 0 {
				switch outcomes[r.Index%len(outcomes)] % 3 {
				case 1:
					return errors.New("fail")
				case 2:
					panic("boom")
				}
			}
			return nil
		}
		// The reference: what encoding/json decodes, as sequence numbers and
		// event sources.
		var seqs, sources []string
		var decodeErr error
		var hasRecords bool
		var resp []byte
		var err error
		if kinesis {
			var ev events.KinesisEvent
			if len(payload) > 0 {
				decodeErr = json.Unmarshal(payload, &ev)
			}
			hasRecords = ev.Records != nil
			for _, r := range ev.Records {
				seqs, sources = append(seqs, r.Kinesis.SequenceNumber), append(sources, r.EventSource)
			}
			resp, err = Kinesis(func(ctx context.Context, _ events.KinesisEventRecord) error { return outcome(ctx) }, opts...).Invoke(t.Context(), payload)
		} else {
			var ev events.DynamoDBEvent
			if len(payload) > 0 {
				decodeErr = json.Unmarshal(payload, &ev)
			}
			hasRecords = ev.Records != nil
			for _, r := range ev.Records {
				seqs, sources = append(seqs, r.Change.SequenceNumber), append(sources, r.EventSource)
			}
			resp, err = DynamoDB(func(ctx context.Context, _ events.DynamoDBEventRecord) error { return outcome(ctx) }, opts...).Invoke(t.Context(), payload)
		}
		want := "aws:kinesis"
		if !kinesis {
			want = "aws:dynamodb"
		}
		if decodeErr != nil {
			if de := new(handler.DecodeError); !errors.As(err, &de) {
				t.Fatalf("undecodable payload: error %v, want *handler.DecodeError", err)
			}
			return
		}
		bad := !hasRecords
		for i := range seqs {
			bad = bad || seqs[i] == "" || (sources[i] != "" && sources[i] != want)
		}
		if bad {
			if ee := new(EventError); !errors.As(err, &ee) || len(order) > 0 {
				t.Fatalf("not a %s batch: error %v after running %d records, want *EventError and none run", want, err, len(order))
			}
			return
		}
		for k, i := range order {
			if i != k {
				t.Fatalf("records ran out of order: %v", order)
			}
		}
		// The first failure is the last record run, if it failed.
		first := len(seqs)
		if len(order) < len(seqs) || (len(order) > 0 && len(outcomes) > 0 && outcomes[(len(order)-1)%len(outcomes)]%3 != 0) {
			first = len(order) - 1
		}
		if err != nil {
			var all *AllFailedError
			if !errors.As(err, &all) || first != 0 || mode&2 != 0 {
				t.Fatalf("unexpected error %v (first failure %d)", err, first)
			}
			return
		}
		got := checkResponse(t, payload, resp, seqs)
		var wantIDs []string
		seen := map[string]bool{}
		for _, s := range seqs[first:] {
			if !seen[s] {
				seen[s] = true
				wantIDs = append(wantIDs, s)
			}
		}
		// Each sequence number once, in batch order from the first failure.
		if diff := cmp.Diff(wantIDs, got); diff != "" {
			t.Fatalf("reported (-want +got):\n%s", diff)
		}
	})
}
