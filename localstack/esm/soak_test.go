package esm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// soakMessages is how many messages one soak pushes through the mapping.
const soakMessages = 10_000

// BenchmarkSoak pushes soakMessages through the mapping with 5 concurrent
// invocations and a batch.SQS handler that fails about 8% of messages on
// their first receive, panics on 1% on their first receive and always fails
// 1% (poison, which the redrive policy moves to the DLQ after 3 receives).
// Each op is one soak, from the first send until every message is either
// processed or in the DLQ. It reports:
//
//	lost/op        messages neither processed nor in the DLQ (must be 0; the benchmark fails otherwise)
//	duplicates/op  messages processed successfully more than once (at-least-once allows it; expect 0 here)
//	msgs/s         throughput of the whole soak
//
// Run it alone: go test -run '^$' -bench Soak -benchtime 1x ./localstack/esm
func BenchmarkSoak(b *testing.B) {
	for _, size := range []int{10, 100} {
		b.Run("batch="+strconv.Itoa(size), func(b *testing.B) {
			var lost, dups int
			var elapsed time.Duration
			for b.Loop() {
				r := soak(b, size)
				lost += r.lost
				dups += r.duplicates
				elapsed += r.elapsed
			}
			b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
			b.ReportMetric(float64(dups)/float64(b.N), "duplicates/op")
			b.ReportMetric(float64(soakMessages*b.N)/elapsed.Seconds(), "msgs/s")
			if lost > 0 {
				b.Errorf("%d messages lost", lost)
			}
		})
	}
}

type soakResult struct {
	lost, duplicates int
	elapsed          time.Duration
}

// soakKind sorts message i into its fate: every 100 messages hold one poison,
// one that panics once and eight that fail once.
func soakKind(body string) string {
	i, _ := strconv.Atoi(body[1:])
	switch i % 100 {
	case 0:
		return "poison"
	case 1:
		return "panic"
	case 2, 3, 4, 5, 6, 7, 8, 9:
		return "transient"
	}
	return "ok"
}

func soak(b *testing.B, batchSize int) soakResult {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	defer cancel()
	cfg := localstack.Shared(b).AWSConfig()
	client := sqs.NewFromConfig(cfg)
	q, err := fixture.CreateQueue(ctx, cfg, fixture.Name(b, "soak"), fixture.WithVisibilityTimeout(time.Second), fixture.WithDLQ(3))
	if err != nil {
		b.Fatal(err)
	}

	var (
		mu        sync.Mutex
		successes = map[string]int{}
	)
	h := batch.SQS(func(ctx context.Context, m events.SQSMessage) error {
		first := m.Attributes["ApproximateReceiveCount"] == "1"
		switch soakKind(m.Body) {
		case "poison":
			return errors.New("poison")
		case "panic":
			if first {
				panic("soak: " + m.Body)
			}
		case "transient":
			if first {
				return errors.New("transient")
			}
		}
		mu.Lock()
		successes[m.Body]++
		mu.Unlock()
		return nil
	}, batch.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	opts := []Option{
		WithBatchSize(batchSize), WithMaxConcurrency(5), WithReportBatchItemFailures(true), WithTimeout(time.Second),
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	if batchSize > 10 {
		opts = append(opts, WithBatchingWindow(time.Second))
	}
	m, err := New(client, q.URL, h, opts...)
	if err != nil {
		b.Fatal(err)
	}

	start := time.Now()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- m.Run(runCtx) }()
	if err := sendRange(ctx, client, q, "m", 0, soakMessages); err != nil {
		b.Fatal(err)
	}
	const poison = soakMessages / 100
	dead := map[string]bool{}
	progress, lastProgress := 0, time.Now()
	for {
		mu.Lock()
		done := len(successes)
		mu.Unlock()
		if done == soakMessages-poison && len(dead) == poison || ctx.Err() != nil {
			break
		}
		if done+len(dead) > progress {
			progress, lastProgress = done+len(dead), time.Now()
		} else if time.Since(lastProgress) > 20*time.Second {
			break // what is missing by now is lost
		}
		// The redrive moves a poison message only when a receive finds it
		// over its count, so the DLQ fills while the mapping runs.
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.DLQ.URL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 600})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			b.Fatal(err)
		}
		for _, msg := range out.Messages {
			dead[aws.ToString(msg.Body)] = true
		}
	}
	elapsed := time.Since(start)
	stop()
	if err := <-ran; err != nil {
		b.Errorf("Run: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	var r soakResult
	r.elapsed = elapsed
	for i := range soakMessages {
		body := "m" + strconv.Itoa(i)
		switch n := successes[body]; {
		case n == 0 && !dead[body]:
			r.lost++
		case n > 1:
			r.duplicates++
		}
		if dead[body] && soakKind(body) != "poison" {
			b.Errorf("%s (%s) went to the DLQ", body, soakKind(body))
		}
	}
	if r.lost > 0 {
		b.Logf("batch=%d: %d of %d lost, e.g. %s", batchSize, r.lost, soakMessages, firstLost(successes, dead))
	}
	return r
}

func firstLost(successes map[string]int, dead map[string]bool) string {
	for i := range soakMessages {
		body := "m" + strconv.Itoa(i)
		if successes[body] == 0 && !dead[body] {
			return fmt.Sprintf("%s (%s)", body, soakKind(body))
		}
	}
	return ""
}
