package iterator

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDBAPI is the part of the DynamoDB client that [DynamoDBStore] uses,
// with the SDK's signatures, so that tests can wrap or fake it.
type DynamoDBAPI interface {
	GetItem(ctx context.Context, params *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, params *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

var _ DynamoDBAPI = (*dynamodb.Client)(nil)

// MaxItemSize is DynamoDB's limit on the size of an item, in bytes.
const MaxItemSize = 400 * 1024

// Attributes names the attributes of a checkpoint item. An empty field takes
// the default shown in its comment.
type Attributes struct {
	Key                  string // "id": the table's partition key, a string.
	Version              string // "version": number of saves.
	State                string // "state": the state JSON, or gzip binary with WithCompression.
	Completed            string // "completed": boolean.
	Iterations           string // "iterations"
	Invocations          string // "invocations"
	ExecutionInvocations string // "execution_invocations"
	StepEstimate         string // "step_estimate_ns"
	LeaseOwner           string // "lease_owner": present only while an invocation works on the key.
	LeaseUntil           string // "lease_until": Unix milliseconds.
	TTL                  string // "expiration": Unix seconds, for DynamoDB's time to live.
}

func (a Attributes) withDefaults() Attributes {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&a.Key, "id")
	def(&a.Version, "version")
	def(&a.State, "state")
	def(&a.Completed, "completed")
	def(&a.Iterations, "iterations")
	def(&a.Invocations, "invocations")
	def(&a.ExecutionInvocations, "execution_invocations")
	def(&a.StepEstimate, "step_estimate_ns")
	def(&a.LeaseOwner, "lease_owner")
	def(&a.LeaseUntil, "lease_until")
	def(&a.TTL, "expiration")
	return a
}

// DynamoDBOption configures a [DynamoDBStore].
type DynamoDBOption func(*dynamoOptions)

type dynamoOptions struct {
	attrs    Attributes
	ttl      time.Duration
	compress bool
	now      func() time.Time
}

// DefaultTTL is how long after its last write a checkpoint item expires by
// default, through the table's time to live on the TTL attribute.
const DefaultTTL = 30 * 24 * time.Hour

// WithAttributes sets the attribute names; empty fields keep their defaults.
func WithAttributes(a Attributes) DynamoDBOption {
	return func(o *dynamoOptions) { o.attrs = a }
}

// WithTTL sets how long after its last write an item expires. It is written
// to the TTL attribute, which the table's time to live must be set to; 0
// writes no TTL attribute. The default is [DefaultTTL]. An expired completed
// key can be run again, so keep it longer than anything may re-invoke a job.
func WithTTL(d time.Duration) DynamoDBOption { return func(o *dynamoOptions) { o.ttl = max(d, 0) } }

// WithCompression stores the state gzip-compressed as a binary attribute
// instead of as a JSON string, which fits states up to several times the
// 400 KB item limit at the cost of readability in the console. Items written
// either way are read either way, so it can be turned on for an existing table.
func WithCompression(on bool) DynamoDBOption { return func(o *dynamoOptions) { o.compress = on } }

// DynamoDBStore is a [Store] in a DynamoDB table whose partition key is a
// string. A claim is one conditional UpdateItem that returns the item, so it
// is also the read; a save is one conditional PutItem. One invocation thus
// makes two calls: the read and the conditional write of the checkpoint
// pattern, with the claim folded into the read. Only a claim that loses to
// another invocation may add a GetItem, and only if DynamoDB did not return
// the item with the failed condition; only a failed invocation adds an
// UpdateItem, to release its lease.
//
// A save replaces the whole item, so other attributes on it do not survive.
// It is safe for concurrent use.
type DynamoDBStore struct {
	client DynamoDBAPI
	table  string
	o      dynamoOptions
}

var _ Store = (*DynamoDBStore)(nil)

// NewDynamoDBStore returns a store in table through client. It panics if
// client is nil or table is empty.
func NewDynamoDBStore(client DynamoDBAPI, table string, opts ...DynamoDBOption) *DynamoDBStore {
	if client == nil || table == "" {
		panic("iterator: NewDynamoDBStore needs a client and a table name")
	}
	o := dynamoOptions{ttl: DefaultTTL, now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	o.attrs = o.attrs.withDefaults()
	return &DynamoDBStore{client: client, table: table, o: o}
}

// Claim implements [Store].
func (s *DynamoDBStore) Claim(ctx context.Context, key string, lease Lease) (Checkpoint, error) {
	a := s.o.attrs
	names := map[string]string{
		"#k": a.Key, "#v": a.Version, "#done": a.Completed, "#inv": a.Invocations,
		"#einv": a.ExecutionInvocations, "#own": a.LeaseOwner, "#until": a.LeaseUntil,
	}
	values := map[string]types.AttributeValue{
		":own":   &types.AttributeValueMemberS{Value: lease.Owner},
		":until": num(lease.Until.UnixMilli()),
		":now":   num(lease.Now.UnixMilli()),
		":zero":  num(0),
		":one":   num(1),
		":false": &types.AttributeValueMemberBOOL{Value: false},
	}
	update := "SET #own = :own, #until = :until, #v = if_not_exists(#v, :zero), #done = if_not_exists(#done, :false), " +
		"#inv = if_not_exists(#inv, :zero) + :one, #einv = if_not_exists(#einv, :zero) + :one"
	if s.o.ttl > 0 {
		names["#ttl"] = a.TTL
		values[":ttl"] = num(s.o.now().Add(s.o.ttl).Unix())
		update += ", #ttl = :ttl"
	}
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table),
		Key:       s.key(key),
		// The claim succeeds on a new key, or on one that is not completed
		// and whose lease, if any, has expired.
		ConditionExpression: aws.String("attribute_not_exists(#k) OR " +
			"((attribute_not_exists(#done) OR #done = :false) AND (attribute_not_exists(#until) OR #until <= :now))"),
		UpdateExpression:                    aws.String(update),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		cp, err := s.decode(key, out.Attributes)
		if err != nil {
			// The lease is taken but the item is unusable: give it back so
			// that a fixed item can be retried at once. Best effort; the
			// lease expires anyway.
			_ = s.Release(context.WithoutCancel(ctx), key, lease.Owner)
		}
		return cp, err
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return Checkpoint{}, &StoreError{Op: "claim", Key: key, Err: err}
	}
	item := ccf.Item
	if item == nil {
		// Not every DynamoDB implementation returns the item with the
		// failed condition; one consistent read tells completed from held.
		got, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.table), Key: s.key(key), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return Checkpoint{}, &StoreError{Op: "claim", Key: key, Err: err}
		}
		item = got.Item
	}
	if item == nil {
		// Deleted between the two calls (TTL); the caller may retry.
		return Checkpoint{}, &ConflictError{Key: key}
	}
	cp, err := s.decode(key, item)
	if err != nil {
		return Checkpoint{}, err
	}
	if cp.Completed {
		return cp, nil
	}
	c := &ConflictError{Key: key}
	if v, ok := item[a.LeaseOwner].(*types.AttributeValueMemberS); ok {
		c.Holder = v.Value
	}
	if ms, ok := getInt(item, a.LeaseUntil); ok {
		c.Until = time.UnixMilli(ms)
	}
	return Checkpoint{}, c
}

// Save implements [Store].
func (s *DynamoDBStore) Save(ctx context.Context, cp Checkpoint, owner string) error {
	item, err := s.encode(cp)
	if err != nil {
		return &StoreError{Op: "save", Key: cp.Key, Err: err}
	}
	if size := itemSize(item); size > MaxItemSize {
		return &TooLargeError{Key: cp.Key, Size: size, Limit: MaxItemSize}
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       aws.String("#own = :own AND #v = :v"),
		ExpressionAttributeNames:  map[string]string{"#own": s.o.attrs.LeaseOwner, "#v": s.o.attrs.Version},
		ExpressionAttributeValues: map[string]types.AttributeValue{":own": &types.AttributeValueMemberS{Value: owner}, ":v": num(cp.Version)},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		return &ConflictError{Key: cp.Key}
	case err != nil:
		return &StoreError{Op: "save", Key: cp.Key, Err: err}
	}
	return nil
}

// Release implements [Store].
func (s *DynamoDBStore) Release(ctx context.Context, key, owner string) error {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.key(key),
		UpdateExpression:          aws.String("REMOVE #own, #until"),
		ConditionExpression:       aws.String("#own = :own"),
		ExpressionAttributeNames:  map[string]string{"#own": s.o.attrs.LeaseOwner, "#until": s.o.attrs.LeaseUntil},
		ExpressionAttributeValues: map[string]types.AttributeValue{":own": &types.AttributeValueMemberS{Value: owner}},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return &StoreError{Op: "release", Key: key, Err: err}
	}
	return nil
}

func (s *DynamoDBStore) key(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{s.o.attrs.Key: &types.AttributeValueMemberS{Value: key}}
}

// encode builds the item a save writes: the checkpoint without a lease.
func (s *DynamoDBStore) encode(cp Checkpoint) (map[string]types.AttributeValue, error) {
	a := s.o.attrs
	item := map[string]types.AttributeValue{
		a.Key:                  &types.AttributeValueMemberS{Value: cp.Key},
		a.Version:              num(cp.Version + 1),
		a.Completed:            &types.AttributeValueMemberBOOL{Value: cp.Completed},
		a.Iterations:           num(cp.Iterations),
		a.Invocations:          num(cp.Invocations),
		a.ExecutionInvocations: num(cp.ExecutionInvocations),
		a.StepEstimate:         num(int64(cp.StepEstimate)),
	}
	if s.o.ttl > 0 {
		item[a.TTL] = num(s.o.now().Add(s.o.ttl).Unix())
	}
	if cp.State != nil {
		if s.o.compress {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			if _, err := zw.Write(cp.State); err != nil {
				return nil, err
			}
			if err := zw.Close(); err != nil {
				return nil, err
			}
			item[a.State] = &types.AttributeValueMemberB{Value: buf.Bytes()}
		} else {
			item[a.State] = &types.AttributeValueMemberS{Value: string(cp.State)}
		}
	}
	return item, nil
}

// decode reads a checkpoint item. A malformed item is a *StoreError: it was
// not written by this package, or was edited by hand.
func (s *DynamoDBStore) decode(key string, item map[string]types.AttributeValue) (Checkpoint, error) {
	a := s.o.attrs
	cp := Checkpoint{Key: key}
	var bad []string
	intField := func(name string, dst *int64) {
		if _, present := item[name]; !present {
			return
		}
		v, ok := getInt(item, name)
		if !ok {
			bad = append(bad, name)
		}
		*dst = v
	}
	intField(a.Version, &cp.Version)
	intField(a.Iterations, &cp.Iterations)
	intField(a.Invocations, &cp.Invocations)
	intField(a.ExecutionInvocations, &cp.ExecutionInvocations)
	var est int64
	intField(a.StepEstimate, &est)
	cp.StepEstimate = time.Duration(est)
	switch v := item[a.Completed].(type) {
	case nil:
	case *types.AttributeValueMemberBOOL:
		cp.Completed = v.Value
	default:
		bad = append(bad, a.Completed)
	}
	switch v := item[a.State].(type) {
	case nil:
	case *types.AttributeValueMemberS:
		cp.State = []byte(v.Value)
	case *types.AttributeValueMemberB:
		zr, err := gzip.NewReader(bytes.NewReader(v.Value))
		if err == nil {
			cp.State, err = io.ReadAll(zr)
		}
		if err != nil {
			return Checkpoint{}, &CheckpointDecodeError{Key: key, Type: "gzip", Err: err}
		}
	default:
		bad = append(bad, a.State)
	}
	if len(bad) > 0 {
		return Checkpoint{}, &StoreError{Op: "claim", Key: key, Err: fmt.Errorf("malformed item: attributes %q have unexpected types", bad)}
	}
	return cp, nil
}

func num(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func getInt(item map[string]types.AttributeValue, name string) (int64, bool) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	return n, err == nil
}

// itemSize computes an item's size as DynamoDB counts it against its limit:
// the UTF-8 length of each attribute name plus the size of its value. Numbers
// are counted at their upper bound of 21 bytes, so the result never
// underestimates.
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return 21
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	default:
		// Lists, maps and sets are never written by this package; count
		// them generously rather than compute their exact overhead.
		return MaxItemSize
	}
}
