package iterator

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// stepDurations are the step-duration distributions of the utilisation
// benchmarks, indexed by the step number. They are deterministic (a
// multiplicative hash of i), so every run measures the same sequence.
var stepDurations = []struct {
	name   string
	budget time.Duration
	margin time.Duration
	d      func(i int) time.Duration
}{
	{"constant-1s-of-15min", 15 * time.Minute, time.Second, func(int) time.Duration { return time.Second }},
	{"constant-10ms-of-1s", time.Second, 10 * time.Millisecond, func(int) time.Duration { return 10 * time.Millisecond }},
	{"uniform-2-30ms-of-1s", time.Second, 10 * time.Millisecond, func(i int) time.Duration {
		return 2*time.Millisecond + time.Duration(hash(i)%28_000)*time.Microsecond
	}},
	{"heavy-tail-5ms-1pct-50ms-of-1s", time.Second, 10 * time.Millisecond, func(i int) time.Duration {
		if hash(i)%100 == 0 {
			return 50 * time.Millisecond
		}
		return 5 * time.Millisecond
	}},
	{"heavy-tail-margin-50ms", time.Second, 50 * time.Millisecond, func(i int) time.Duration {
		if hash(i)%100 == 0 {
			return 50 * time.Millisecond
		}
		return 5 * time.Millisecond
	}},
	{"uniform-1-20s-of-15min", 15 * time.Minute, time.Second, func(i int) time.Duration {
		return time.Second + time.Duration(hash(i)%19_000)*time.Millisecond
	}},
}

func hash(i int) uint64 { return (uint64(i) + 1) * 0x9E3779B97F4A7C15 >> 20 }

// BenchmarkBudgetUtilisation drives the stopping rule with a fake clock: each
// op is one invocation with the given budget, and the steps advance the
// clock by their duration. It reports the share of the budget spent in steps
// (util-%) and how often an invocation went past budget-minus-margin
// (into-margin/op) or past the deadline itself (overruns/op, which must be
// 0), so it measures the rule, not the machine.
func BenchmarkBudgetUtilisation(b *testing.B) {
	for _, sd := range stepDurations {
		b.Run(sd.name, func(b *testing.B) {
			clock := newFakeClock()
			i := 0
			var work time.Duration
			step := func(ctx context.Context, st *job) (bool, error) {
				d := sd.d(i)
				i++
				work += d
				clock.Advance(d)
				return false, nil
			}
			it := New(NewMemoryStore(), step, WithBudget(sd.budget), WithMargin(sd.margin), withClock(clock.Now), quiet())
			intoMargin, overruns := 0, 0
			for b.Loop() {
				start := clock.Now()
				if _, err := it.Run(context.Background(), "bench"); err != nil {
					b.Fatal(err)
				}
				used := clock.Now().Sub(start)
				if used > sd.budget-sd.margin {
					intoMargin++
				}
				if used > sd.budget {
					overruns++
				}
			}
			b.ReportMetric(float64(intoMargin)/float64(b.N), "into-margin/op")
			b.ReportMetric(100*float64(work)/float64(time.Duration(b.N)*sd.budget), "util-%")
			b.ReportMetric(float64(overruns)/float64(b.N), "overruns/op")
			b.ReportMetric(float64(i)/float64(b.N), "steps/op")
		})
	}
}

// BenchmarkBudgetUtilisationRealTime is the same with real sleeps under a
// real context deadline of 200 ms, margin 5 ms: utilisation here also pays
// for scheduler and timer slack on the machine that runs it.
func BenchmarkBudgetUtilisationRealTime(b *testing.B) {
	for _, d := range []time.Duration{2 * time.Millisecond, 5 * time.Millisecond} {
		b.Run(fmt.Sprintf("sleep-%s-of-200ms", d), func(b *testing.B) {
			const budget, margin = 200 * time.Millisecond, 5 * time.Millisecond
			var work time.Duration
			step := func(ctx context.Context, st *job) (bool, error) {
				t0 := time.Now()
				time.Sleep(d)
				work += time.Since(t0)
				return false, nil
			}
			it := New(NewMemoryStore(), step, WithMargin(margin), quiet())
			var total time.Duration
			overruns := 0
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), budget)
				start := time.Now()
				if _, err := it.Run(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
				el := time.Since(start)
				cancel()
				total += budget
				if el > budget {
					overruns++
				}
			}
			b.ReportMetric(100*float64(work)/float64(total), "util-%")
			b.ReportMetric(float64(overruns)/float64(b.N), "overruns/op")
		})
	}
}

// BenchmarkRunOverhead is the iterator's own cost per invocation with the
// memory store and a one-step job: claim, decode, one step, encode, save.
func BenchmarkRunOverhead(b *testing.B) {
	it := New(NewMemoryStore(), func(ctx context.Context, st *job) (bool, error) {
		st.Next++
		return false, nil
	}, WithMaxSteps(1), quiet())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := it.Run(context.Background(), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDynamoDBCallsPerInvocation runs invocations against DynamoDB in
// the emulator through a counting client and reports the calls each makes:
// the target is one read (the claim returns the item) and one conditional
// write. ns/op is the emulator's latency, not DynamoDB's.
func BenchmarkDynamoDBCallsPerInvocation(b *testing.B) {
	client, table := newTable(b)
	for _, tc := range []struct {
		name      string
		completed bool
	}{{"in-progress", false}, {"completed-key", true}} {
		b.Run(tc.name, func(b *testing.B) {
			counting := &countingDynamoDB{DynamoDBAPI: client}
			it := New(NewDynamoDBStore(counting, table), func(ctx context.Context, st *job) (bool, error) {
				st.Next++
				return tc.completed, nil
			}, WithMaxSteps(1), quiet())
			key := "calls-" + tc.name
			if tc.completed {
				if _, err := it.Run(context.Background(), key); err != nil {
					b.Fatal(err)
				}
			}
			before := counting.counts()
			for b.Loop() {
				if _, err := it.Run(context.Background(), key); err != nil {
					b.Fatal(err)
				}
			}
			c := counting.counts()
			n := float64(b.N)
			b.ReportMetric(float64(c[0]-before[0])/n, "GetItem/op")
			b.ReportMetric(float64(c[1]-before[1])/n, "UpdateItem/op")
			b.ReportMetric(float64(c[2]-before[2])/n, "PutItem/op")
		})
	}
}
