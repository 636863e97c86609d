package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// The benchmarks follow issue 5: SQS events of about 1,176 bytes per record
// (a body of about 500 bytes plus the record's metadata), a record handler
// that decodes each JSON body and fails every 10th record.
// Compare in one run:
//
//	go test -run '^$' -bench . -benchmem ./batch/
//
// ns/record is the figure to compare across batch sizes.

// benchBodySize makes each record of sqsPayload about 1,176 bytes long.
const benchBodySize = 507

var errBenchFail = errors.New("every 10th record fails")

// BenchmarkEndToEnd compares raw bytes in, response bytes out: aws-lambda-go's
// own handler (encoding/json for the event, a loop over the records) against
// batch.SQSJSON.
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		payload := sqsPayload(n, benchBodySize, stdARN)
		b.Run(fmt.Sprintf("records=%d/aws-lambda-go", n), func(b *testing.B) {
			h := lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				var resp events.SQSEventResponse
				for _, m := range ev.Records {
					var body orderBody
					if err := json.Unmarshal([]byte(m.Body), &body); err != nil || body.Fail {
						resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
					}
				}
				return resp, nil
			})
			benchInvoke(b, h, payload, n)
		})
		b.Run(fmt.Sprintf("records=%d/batch", n), func(b *testing.B) {
			h := SQSJSON(func(ctx context.Context, body orderBody, m events.SQSMessage) error {
				if body.Fail {
					return errBenchFail
				}
				return nil
			}, quiet)
			benchInvoke(b, h, payload, n)
		})
	}
}

func benchInvoke(b *testing.B, h lambda.Handler, payload []byte, n int) {
	ctx := context.Background()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		out, err := h.Invoke(ctx, payload)
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

// BenchmarkDecoded compares ProcessSQS on an already decoded event with the
// loop one would write by hand, same record handler.
func BenchmarkDecoded(b *testing.B) {
	const n = 1000
	ev := sqsEvent(n, benchBodySize, stdARN)
	rh := func(ctx context.Context, m events.SQSMessage) error {
		var body orderBody
		if err := json.Unmarshal([]byte(m.Body), &body); err != nil {
			return err
		}
		if body.Fail {
			return errBenchFail
		}
		return nil
	}
	ctx := context.Background()
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var resp events.SQSEventResponse
			for _, m := range ev.Records {
				if err := rh(ctx, m); err != nil {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				}
			}
			if len(resp.BatchItemFailures) != n/10 {
				b.Fatal(len(resp.BatchItemFailures))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
	})
	b.Run("ProcessSQS", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := ProcessSQS(ctx, &ev, rh, quiet)
			if err != nil || len(resp.BatchItemFailures) != n/10 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
	})
}

// BenchmarkIOBound runs 1,000 records that each wait 5 ms at concurrency 100.
// The floor is ceil(1000/100) × 5 ms = 50 ms; ceiling-x is wall time over it.
func BenchmarkIOBound(b *testing.B) {
	const n, conc, wait = 1000, 100, 5 * time.Millisecond
	ev := sqsEvent(n, 64, stdARN)
	rh := func(ctx context.Context, m events.SQSMessage) error {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ctx := context.Background()
	floor := time.Duration((n+conc-1)/conc) * wait
	report := func(b *testing.B) {
		perBatch := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(float64(perBatch.Microseconds())/1000, "ms/batch")
		b.ReportMetric(float64(perBatch)/float64(floor), "ceiling-x")
	}
	b.Run("batch", func(b *testing.B) {
		for b.Loop() {
			resp, err := ProcessSQS(ctx, &ev, rh, quiet, WithConcurrency(conc))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatal(err)
			}
		}
		report(b)
	})
	// ideal is the machine's own floor: 100 goroutines, each running its
	// tenth of the records back to back, with no bookkeeping at all.
	b.Run("ideal", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for w := range conc {
				wg.Go(func() {
					for i := w; i < n; i += conc {
						_ = rh(ctx, ev.Records[i])
					}
				})
			}
			wg.Wait()
		}
		report(b)
	})
}

// BenchmarkDecode isolates event decoding: encoding/json against the fast
// path, 1,000 records.
func BenchmarkDecode(b *testing.B) {
	payload := sqsPayload(1000, benchBodySize, stdARN)
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			var ev events.SQSEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("batch", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			var ev events.SQSEvent
			if err := decodeSQSEvent(payload, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
