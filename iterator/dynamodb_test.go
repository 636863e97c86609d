package iterator

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// fakeDynamoDB answers each operation with a func and records the calls.
type fakeDynamoDB struct {
	mu     sync.Mutex
	calls  []string
	get    func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	put    func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	update func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
}

func (f *fakeDynamoDB) record(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
}

func (f *fakeDynamoDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.record("GetItem")
	if f.get == nil {
		return nil, errors.New("unexpected GetItem")
	}
	return f.get(in)
}

func (f *fakeDynamoDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.record("PutItem")
	if f.put == nil {
		return nil, errors.New("unexpected PutItem")
	}
	return f.put(in)
}

func (f *fakeDynamoDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.record("UpdateItem")
	if f.update == nil {
		return nil, errors.New("unexpected UpdateItem")
	}
	return f.update(in)
}

func TestDynamoDBSaveTooLargeWritesNothing(t *testing.T) {
	fake := &fakeDynamoDB{}
	s := NewDynamoDBStore(fake, "checkpoints")
	big := []byte(`"` + strings.Repeat("x", MaxItemSize) + `"`)
	err := s.Save(t.Context(), Checkpoint{Key: "k", State: big}, "me")
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != MaxItemSize || tl.Size <= MaxItemSize {
		t.Fatalf("err = %v, want *TooLargeError over %d", err, MaxItemSize)
	}
	if len(fake.calls) != 0 {
		t.Errorf("calls = %v, want none", fake.calls)
	}
}

func TestDynamoDBCompressionFitsLargeState(t *testing.T) {
	var saved map[string]types.AttributeValue
	fake := &fakeDynamoDB{put: func(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		saved = in.Item
		return &dynamodb.PutItemOutput{}, nil
	}}
	s := NewDynamoDBStore(fake, "checkpoints", WithCompression(true))
	state := []byte(`{"log":"` + strings.Repeat("abc", MaxItemSize) + `"}`)
	if err := s.Save(t.Context(), Checkpoint{Key: "k", Version: 2, State: state}, "me"); err != nil {
		t.Fatal(err)
	}
	if _, ok := saved["state"].(*types.AttributeValueMemberB); !ok {
		t.Fatalf("state attribute is %T, want binary", saved["state"])
	}
	cp, err := s.decode("k", saved)
	if err != nil {
		t.Fatal(err)
	}
	if string(cp.State) != string(state) || cp.Version != 3 {
		t.Errorf("decoded version %d and %d state bytes, want version 3 and the original %d", cp.Version, len(cp.State), len(state))
	}
}

func TestDynamoDBItemAttributes(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var put *dynamodb.PutItemInput
	fake := &fakeDynamoDB{put: func(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		put = in
		return &dynamodb.PutItemOutput{}, nil
	}}
	s := NewDynamoDBStore(fake, "t", WithTTL(time.Hour), WithAttributes(Attributes{Key: "pk", TTL: "ttl"}))
	s.o.now = func() time.Time { return now }
	cp := Checkpoint{Key: "job", Version: 1, State: []byte(`{"a":1}`), Completed: true, Iterations: 5, Invocations: 2, ExecutionInvocations: 2, StepEstimate: time.Millisecond}
	if err := s.Save(t.Context(), cp, "owner-1"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pk": "S:job", "version": "N:2", "state": `S:{"a":1}`, "completed": "BOOL:true", "iterations": "N:5",
		"invocations": "N:2", "execution_invocations": "N:2", "step_estimate_ns": "N:1000000",
		"ttl": "N:" + "1893459600",
	}
	if diff := cmp.Diff(want, flatten(put.Item)); diff != "" {
		t.Errorf("item (-want +got):\n%s", diff)
	}
	if got := *put.ConditionExpression; got != "#own = :own AND #v = :v" {
		t.Errorf("condition = %q", got)
	}
	if diff := cmp.Diff(map[string]string{":own": "S:owner-1", ":v": "N:1"}, flatten(put.ExpressionAttributeValues)); diff != "" {
		t.Errorf("condition values (-want +got):\n%s", diff)
	}
}

func TestDynamoDBClaimConflictAndCompleted(t *testing.T) {
	lease := Lease{Owner: "me", Now: time.UnixMilli(1_000_000), Until: time.UnixMilli(2_000_000)}
	held := map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "k"}, "version": num(3), "completed": &types.AttributeValueMemberBOOL{},
		"lease_owner": &types.AttributeValueMemberS{Value: "other"}, "lease_until": num(1_500_000),
	}
	completed := map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "k"}, "version": num(7), "completed": &types.AttributeValueMemberBOOL{Value: true},
		"state": &types.AttributeValueMemberS{Value: `{"n":1}`}, "iterations": num(9),
	}
	ccf := func(item map[string]types.AttributeValue) func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		return func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
			return nil, &types.ConditionalCheckFailedException{Message: new("failed"), Item: item}
		}
	}
	tests := []struct {
		name      string
		fake      *fakeDynamoDB
		want      Checkpoint
		wantErr   error
		wantCalls []string
	}{
		{
			name:      "held, item returned with the failure",
			fake:      &fakeDynamoDB{update: ccf(held)},
			wantErr:   &ConflictError{Key: "k", Holder: "other", Until: time.UnixMilli(1_500_000)},
			wantCalls: []string{"UpdateItem"},
		},
		{
			name: "completed, item read after the failure",
			fake: &fakeDynamoDB{update: ccf(nil), get: func(in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
				if in.ConsistentRead == nil || !*in.ConsistentRead {
					t.Error("GetItem is not a consistent read")
				}
				return &dynamodb.GetItemOutput{Item: completed}, nil
			}},
			want:      Checkpoint{Key: "k", Version: 7, Completed: true, State: []byte(`{"n":1}`), Iterations: 9},
			wantCalls: []string{"UpdateItem", "GetItem"},
		},
		{
			name: "claimed",
			fake: &fakeDynamoDB{update: func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				return &dynamodb.UpdateItemOutput{Attributes: map[string]types.AttributeValue{
					"id": &types.AttributeValueMemberS{Value: "k"}, "version": num(0), "invocations": num(1), "execution_invocations": num(1),
				}}, nil
			}},
			want:      Checkpoint{Key: "k", Invocations: 1, ExecutionInvocations: 1},
			wantCalls: []string{"UpdateItem"},
		},
		{
			name: "malformed item releases the lease",
			fake: &fakeDynamoDB{update: func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				if strings.HasPrefix(*in.UpdateExpression, "REMOVE") {
					return &dynamodb.UpdateItemOutput{}, nil
				}
				return &dynamodb.UpdateItemOutput{Attributes: map[string]types.AttributeValue{"version": &types.AttributeValueMemberS{Value: "x"}}}, nil
			}},
			wantErr:   &StoreError{},
			wantCalls: []string{"UpdateItem", "UpdateItem"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewDynamoDBStore(tt.fake, "t").Claim(t.Context(), "k", lease)
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
			case *ConflictError:
				var ce *ConflictError
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want conflict", err)
				}
				if diff := cmp.Diff(want, ce); diff != "" {
					t.Errorf("conflict (-want +got):\n%s", diff)
				}
			case *StoreError:
				var se *StoreError
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want *StoreError", err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checkpoint (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, tt.fake.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDynamoDBServiceErrorsAreStoreErrors(t *testing.T) {
	down := errors.New("connection refused")
	fake := &fakeDynamoDB{
		update: func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, down },
		put:    func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) { return nil, down },
	}
	s := NewDynamoDBStore(fake, "t")
	_, claimErr := s.Claim(t.Context(), "k", Lease{Owner: "me"})
	saveErr := s.Save(t.Context(), Checkpoint{Key: "k"}, "me")
	releaseErr := s.Release(t.Context(), "k", "me")
	for op, err := range map[string]error{"claim": claimErr, "save": saveErr, "release": releaseErr} {
		var se *StoreError
		if !errors.As(err, &se) || se.Op != op || !errors.Is(err, down) {
			t.Errorf("%s: err = %v, want *StoreError{Op: %q} wrapping the cause", op, err, op)
		}
	}
}

// flatten renders attribute values as "TYPE:value" for comparison.
func flatten(item map[string]types.AttributeValue) map[string]string {
	out := make(map[string]string, len(item))
	for k, v := range item {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			out[k] = "S:" + v.Value
		case *types.AttributeValueMemberN:
			out[k] = "N:" + v.Value
		case *types.AttributeValueMemberBOOL:
			if v.Value {
				out[k] = "BOOL:true"
			} else {
				out[k] = "BOOL:false"
			}
		case *types.AttributeValueMemberB:
			out[k] = "B"
		default:
			out[k] = "?"
		}
	}
	return out
}
