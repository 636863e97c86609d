package localstack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableSpec describes a DynamoDB table for [CreateTable]. Key attribute types
// default to S (string); SortKey and TTLAttribute are optional.
type TableSpec struct {
	Name             string
	PartitionKey     string
	PartitionKeyType ddbtypes.ScalarAttributeType
	SortKey          string
	SortKeyType      ddbtypes.ScalarAttributeType
	// TTLAttribute names the numeric epoch-seconds attribute DynamoDB's TTL
	// expires items by.
	TTLAttribute string
}

// tableAPI is the part of the DynamoDB client CreateTable uses; DescribeTable
// also feeds the SDK's TableExistsWaiter.
type tableAPI interface {
	CreateTable(ctx context.Context, params *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, params *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, params *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	DescribeTimeToLive(ctx context.Context, params *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
}

var _ tableAPI = (*dynamodb.Client)(nil)

// CreateTable creates an on-demand DynamoDB table, waits until it is ACTIVE
// (bounded by ctx) and enables TTL when spec names an attribute. A table that
// already exists is left as it is, so deploy scripts can run twice.
func CreateTable(ctx context.Context, cfg aws.Config, spec TableSpec) error {
	return createTable(ctx, dynamodb.NewFromConfig(cfg), spec)
}

func createTable(ctx context.Context, api tableAPI, spec TableSpec) error {
	if spec.Name == "" || spec.PartitionKey == "" {
		return errors.New("localstack: create table: Name and PartitionKey are required")
	}
	attrs := []ddbtypes.AttributeDefinition{{
		AttributeName: aws.String(spec.PartitionKey),
		AttributeType: orString(spec.PartitionKeyType),
	}}
	keys := []ddbtypes.KeySchemaElement{{AttributeName: aws.String(spec.PartitionKey), KeyType: ddbtypes.KeyTypeHash}}
	if spec.SortKey != "" {
		attrs = append(attrs, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(spec.SortKey),
			AttributeType: orString(spec.SortKeyType),
		})
		keys = append(keys, ddbtypes.KeySchemaElement{AttributeName: aws.String(spec.SortKey), KeyType: ddbtypes.KeyTypeRange})
	}
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(spec.Name),
		AttributeDefinitions: attrs,
		KeySchema:            keys,
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	var inUse *ddbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("localstack: create table %q: %w", spec.Name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(api, func(o *dynamodb.TableExistsWaiterOptions) {
		// Emulators create tables at once; the SDK's 20s minimum delay
		// would only slow a test that happened to poll too early.
		o.MinDelay = 50 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(spec.Name)}, maxWait(ctx)); err != nil {
		return fmt.Errorf("localstack: wait for table %q: %w", spec.Name, err)
	}
	if spec.TTLAttribute == "" {
		return nil
	}
	// Enabling TTL twice is a ValidationException on AWS, so a rerun first
	// checks whether the table already has what is asked for.
	ttl, err := api.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(spec.Name)})
	if err != nil {
		return fmt.Errorf("localstack: describe TTL of %q: %w", spec.Name, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == spec.TTLAttribute &&
		(d.TimeToLiveStatus == ddbtypes.TimeToLiveStatusEnabled || d.TimeToLiveStatus == ddbtypes.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(spec.Name),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{
			AttributeName: aws.String(spec.TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("localstack: enable TTL on %q: %w", spec.Name, err)
	}
	return nil
}

func orString(t ddbtypes.ScalarAttributeType) ddbtypes.ScalarAttributeType {
	if t == "" {
		return ddbtypes.ScalarAttributeTypeS
	}
	return t
}

// maxWait is the waiter's overall bound: the ctx deadline if any, else a
// minute, since the SDK waiter requires one.
func maxWait(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl); d > 0 {
			return d
		}
		return time.Millisecond
	}
	return time.Minute
}
