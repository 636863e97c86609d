package iterator

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

func TestMain(m *testing.M) { localstack.Main(m) }

// countingDynamoDB counts the calls that reach DynamoDB, per operation.
type countingDynamoDB struct {
	DynamoDBAPI
	get, put, update atomic.Int64
}

func (c *countingDynamoDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.get.Add(1)
	return c.DynamoDBAPI.GetItem(ctx, in, opts...)
}

func (c *countingDynamoDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.put.Add(1)
	return c.DynamoDBAPI.PutItem(ctx, in, opts...)
}

func (c *countingDynamoDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.update.Add(1)
	return c.DynamoDBAPI.UpdateItem(ctx, in, opts...)
}

func (c *countingDynamoDB) counts() [3]int64 {
	return [3]int64{c.get.Load(), c.update.Load(), c.put.Load()}
}

// newTable creates a checkpoint table with the default attribute names and
// TTL on, named after the test, and returns a client for it.
func newTable(tb testing.TB) (*dynamodb.Client, string) {
	tb.Helper()
	em := localstack.Shared(tb)
	cfg := em.AWSConfig()
	// A name unique to this run, so that -count=N starts from empty tables
	// in the emulator the runs share.
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, "iterator-"+tb.Name())
	name = name[:min(len(name), 200)] + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := fixture.CreateTable(tb.Context(), cfg, fixture.TableSpec{Name: name, PartitionKey: "id", TTLAttribute: "expiration"}); err != nil {
		tb.Fatal(err)
	}
	return dynamodb.NewFromConfig(cfg), name
}

func getRaw(t *testing.T, client *dynamodb.Client, table, key string) map[string]types.AttributeValue {
	t.Helper()
	out, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: key}}, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// TestStoreContract runs the same sequence of claims and saves against both
// stores, so that the memory store used in unit tests keeps DynamoDB's
// semantics.
func TestStoreContract(t *testing.T) {
	stores := map[string]func(t *testing.T) Store{
		"memory": func(*testing.T) Store { return NewMemoryStore() },
		"dynamodb": func(t *testing.T) Store {
			client, table := newTable(t)
			return NewDynamoDBStore(client, table)
		},
	}
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	lease := func(owner string, at time.Duration) Lease {
		return Lease{Owner: owner, Now: t0.Add(at), Until: t0.Add(at + time.Minute)}
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			s := newStore(t)
			mustConflict := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, ErrConflict) {
					t.Errorf("%s: err = %v, want a conflict", what, err)
				}
			}

			cp, err := s.Claim(ctx, "k", lease("a", 0))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(Checkpoint{Key: "k", Invocations: 1, ExecutionInvocations: 1}, cp); diff != "" {
				t.Errorf("first claim (-want +got):\n%s", diff)
			}
			_, err = s.Claim(ctx, "k", lease("b", time.Second))
			mustConflict("claim of a held key", err)
			mustConflict("save by a non-holder", s.Save(ctx, Checkpoint{Key: "k"}, "b"))
			mustConflict("save against another version", s.Save(ctx, Checkpoint{Key: "k", Version: 5}, "a"))

			cp.State, cp.Iterations, cp.StepEstimate = []byte(`{"n":1}`), 10, time.Millisecond
			if err := s.Save(ctx, cp, "a"); err != nil {
				t.Fatal(err)
			}
			mustConflict("a second save on the same version", s.Save(ctx, cp, "a"))

			cp, err = s.Claim(ctx, "k", lease("b", 2*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			want := Checkpoint{Key: "k", Version: 1, State: []byte(`{"n":1}`), Iterations: 10, Invocations: 2, ExecutionInvocations: 2, StepEstimate: time.Millisecond}
			if diff := cmp.Diff(want, cp); diff != "" {
				t.Errorf("claim after save (-want +got):\n%s", diff)
			}
			// Release lets the next claim in at once; a stale release does nothing.
			if err := s.Release(ctx, "k", "b"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Claim(ctx, "k", lease("c", 3*time.Second)); err != nil {
				t.Fatalf("claim after release: %v", err)
			}
			if err := s.Release(ctx, "k", "b"); err != nil {
				t.Fatal(err)
			}
			_, err = s.Claim(ctx, "k", lease("d", 4*time.Second))
			mustConflict("claim after a stale release", err)

			// An expired lease is taken over, and its holder can no longer save.
			cp, err = s.Claim(ctx, "k", lease("d", 3*time.Second+time.Minute))
			if err != nil {
				t.Fatalf("takeover of an expired lease: %v", err)
			}
			mustConflict("save by the expired holder", s.Save(ctx, cp, "c"))

			cp.Completed = true
			if err := s.Save(ctx, cp, "d"); err != nil {
				t.Fatal(err)
			}
			done, err := s.Claim(ctx, "k", lease("e", time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if !done.Completed || done.Version != 2 || done.Invocations != 4 {
				t.Errorf("claim of a completed key = %+v, want it unchanged at version 2 with 4 invocations", done)
			}
		})
	}
}

func TestDynamoDBItemOnTheWire(t *testing.T) {
	client, table := newTable(t)
	s := NewDynamoDBStore(client, table, WithTTL(time.Hour))
	it := New(s, func(ctx context.Context, st *job) (bool, error) { st.Next++; return st.Next == 3, nil }, quiet(), WithBudget(time.Minute))
	before := time.Now()
	if _, err := it.Run(t.Context(), "wire"); err != nil {
		t.Fatal(err)
	}
	item := getRaw(t, client, table, "wire")
	got := flatten(item)
	exp, ok := getInt(item, "expiration")
	if !ok || exp < before.Add(time.Hour).Unix()-1 || exp > time.Now().Add(time.Hour).Unix()+1 {
		t.Errorf("expiration = %v, want about an hour from now as Unix seconds", item["expiration"])
	}
	delete(got, "expiration")
	delete(got, "step_estimate_ns")
	want := map[string]string{
		"id": "S:wire", "version": "N:1", "state": `S:{"next":3,"total":0}`, "completed": "BOOL:true",
		"iterations": "N:3", "invocations": "N:1", "execution_invocations": "N:1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("item (-want +got):\n%s", diff)
	}
}

func TestDynamoDBConcurrentInvocations(t *testing.T) {
	client, table := newTable(t)
	counting := &countingDynamoDB{DynamoDBAPI: client}
	s := NewDynamoDBStore(counting, table)
	var steps atomic.Int64
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	it := New(s, func(ctx context.Context, st *job) (bool, error) {
		once.Do(func() { close(started) })
		<-release
		steps.Add(1)
		st.Next++
		return true, nil
	}, quiet(), WithBudget(time.Minute))

	const n = 6
	errs := make(chan error, n)
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := it.Run(t.Context(), "race")
		errs <- err
	})
	select { // one invocation holds the key and is in its step
	case <-started:
	case <-time.After(time.Minute):
		t.Fatal("no invocation started its step")
	}
	for range n - 1 {
		wg.Go(func() {
			_, err := it.Run(t.Context(), "race")
			errs <- err
		})
	}
	for range n - 1 {
		if err := <-errs; !errors.Is(err, ErrConflict) {
			t.Errorf("err = %v, want a conflict", err)
		}
	}
	close(release)
	wg.Wait()
	if err := <-errs; err != nil {
		t.Fatalf("the invocation holding the key: %v", err)
	}
	if got := steps.Load(); got != 1 {
		t.Errorf("%d steps ran, want 1", got)
	}
	item := getRaw(t, client, table, "race")
	if v, _ := getInt(item, "version"); v != 1 {
		t.Errorf("version %d, want 1: only one invocation advanced the key", v)
	}
	if _, held := item["lease_owner"]; held {
		t.Error("the lease is still on the item")
	}
	// The losers each made one call: the failed claim, which returned the
	// item with the failed condition, so no extra read.
	if diff := cmp.Diff([3]int64{0, n, 1}, counting.counts()); diff != "" {
		t.Errorf("calls [get update put] (-want +got):\n%s", diff)
	}
}

func TestDynamoDBTooLargeKeepsCheckpoint(t *testing.T) {
	client, table := newTable(t)
	s := NewDynamoDBStore(client, table)
	grow := false
	it := New(s, func(ctx context.Context, st *map[string]string) (bool, error) {
		if *st == nil {
			*st = map[string]string{}
		}
		(*st)["small"] = "x"
		if grow {
			(*st)["big"] = strings.Repeat("y", MaxItemSize)
		}
		return false, nil
	}, quiet(), WithBudget(time.Minute), WithMaxSteps(1))
	if _, err := it.Run(t.Context(), "big"); err != nil {
		t.Fatal(err)
	}
	before := getRaw(t, client, table, "big")
	grow = true
	_, err := it.Run(t.Context(), "big")
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("err = %v, want *TooLargeError", err)
	}
	after := getRaw(t, client, table, "big")
	// Only the claim's counters and TTL moved; the state and version did not.
	for _, attr := range []string{"invocations", "execution_invocations", "expiration"} {
		delete(before, attr)
		delete(after, attr)
	}
	if diff := cmp.Diff(flatten(before), flatten(after)); diff != "" {
		t.Errorf("item after the failed save (-before +after):\n%s", diff)
	}

	// With compression the same state fits.
	zs := NewDynamoDBStore(client, table, WithCompression(true))
	zit := New(zs, func(ctx context.Context, st *map[string]string) (bool, error) {
		*st = map[string]string{"big": strings.Repeat("y", 4*MaxItemSize)}
		return true, nil
	}, quiet(), WithBudget(time.Minute))
	if _, err := zit.Run(t.Context(), "big"); err != nil {
		t.Fatalf("compressed: %v", err)
	}
	cp, err := zs.Claim(t.Context(), "big", Lease{Owner: "x", Now: time.Now(), Until: time.Now()})
	if err != nil || !cp.Completed || len(cp.State) < 4*MaxItemSize {
		t.Errorf("compressed checkpoint read back: completed=%v, %d state bytes, err %v", cp.Completed, len(cp.State), err)
	}
}

func TestDynamoDBUnreachable(t *testing.T) {
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	cfg.BaseEndpoint = aws.String("http://127.0.0.1:1") // nothing listens on port 1
	cfg.RetryMaxAttempts = 1
	it := New(NewDynamoDBStore(dynamodb.NewFromConfig(cfg), "t"), func(context.Context, *job) (bool, error) {
		t.Error("step ran without a checkpoint")
		return true, nil
	}, quiet())
	_, err := it.Run(t.Context(), "k")
	var se *StoreError
	if !errors.As(err, &se) || se.Op != "claim" {
		t.Errorf("err = %v, want *StoreError{Op: claim}", err)
	}
}

func TestDynamoDBCallsPerInvocation(t *testing.T) {
	client, table := newTable(t)
	counting := &countingDynamoDB{DynamoDBAPI: client}
	it := New(NewDynamoDBStore(counting, table), func(ctx context.Context, st *job) (bool, error) {
		st.Next++
		return st.Next == 3, nil
	}, quiet(), WithBudget(time.Minute), WithMaxSteps(1))
	for i := range 3 {
		if _, err := it.Run(t.Context(), "calls"); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([3]int64{0, int64(i + 1), int64(i + 1)}, counting.counts()); diff != "" {
			t.Fatalf("after invocation %d, calls [get update put] (-want +got):\n%s", i+1, diff)
		}
	}
	// The completed key: one claim that fails its condition and brings the
	// item back; nothing written.
	if _, err := it.Run(t.Context(), "calls"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([3]int64{0, 4, 3}, counting.counts()); diff != "" {
		t.Errorf("calls [get update put] after re-invoking a completed key (-want +got):\n%s", diff)
	}
}
