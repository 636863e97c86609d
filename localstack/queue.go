package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Queue is an SQS queue created by [CreateQueue]. DLQ is its dead-letter
// queue, nil when it has none.
type Queue struct {
	Name string
	URL  string
	ARN  string
	DLQ  *Queue
}

// QueueOption configures [CreateQueue].
type QueueOption func(*queueOptions)

type queueOptions struct {
	maxReceiveCount int
	attributes      map[string]string
}

// WithDLQ gives the queue a dead-letter queue named after it (orders ->
// orders-dlq, orders.fifo -> orders-dlq.fifo) and a redrive policy that moves
// a message there after maxReceiveCount receives.
func WithDLQ(maxReceiveCount int) QueueOption {
	return func(o *queueOptions) { o.maxReceiveCount = maxReceiveCount }
}

// WithVisibilityTimeout sets the queue's visibility timeout, in whole
// seconds; the SQS default is 30s. Lambda's guidance is at least six times
// the function timeout.
func WithVisibilityTimeout(d time.Duration) QueueOption {
	return WithQueueAttribute(string(sqstypes.QueueAttributeNameVisibilityTimeout), strconv.Itoa(int(d/time.Second)))
}

// WithQueueAttribute sets any SQS queue attribute, for example
// ContentBasedDeduplication or ReceiveMessageWaitTimeSeconds.
func WithQueueAttribute(name, value string) QueueOption {
	return func(o *queueOptions) {
		if o.attributes == nil {
			o.attributes = make(map[string]string)
		}
		o.attributes[name] = value
	}
}

// queueAPI is the part of the SQS client CreateQueue uses.
type queueAPI interface {
	CreateQueue(ctx context.Context, params *sqs.CreateQueueInput, optFns ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueAttributes(ctx context.Context, params *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

var _ queueAPI = (*sqs.Client)(nil)

// CreateQueue creates an SQS queue and returns its name, URL and ARN. A name
// ending in ".fifo" makes a FIFO queue (its DLQ is FIFO too). Creating a
// queue that exists with the same attributes returns it, as SQS does, so
// deploy scripts can run twice.
func CreateQueue(ctx context.Context, cfg aws.Config, name string, opts ...QueueOption) (*Queue, error) {
	var o queueOptions
	for _, opt := range opts {
		opt(&o)
	}
	return createQueue(ctx, sqs.NewFromConfig(cfg), name, o)
}

func createQueue(ctx context.Context, api queueAPI, name string, o queueOptions) (*Queue, error) {
	fifo := strings.HasSuffix(name, ".fifo")
	attrs := make(map[string]string, len(o.attributes)+2)
	for k, v := range o.attributes {
		attrs[k] = v
	}
	if fifo {
		attrs[string(sqstypes.QueueAttributeNameFifoQueue)] = "true"
	}
	var dlq *Queue
	if o.maxReceiveCount > 0 {
		dlqName := strings.TrimSuffix(name, ".fifo") + "-dlq"
		if fifo {
			dlqName += ".fifo"
		}
		var err error
		// The DLQ gets only the FIFO flag, not the source queue's other
		// attributes: a short visibility timeout meant for the source would
		// only make inspecting the DLQ harder.
		if dlq, err = createQueue(ctx, api, dlqName, queueOptions{}); err != nil {
			return nil, err
		}
		policy, _ := json.Marshal(map[string]any{
			"deadLetterTargetArn": dlq.ARN,
			"maxReceiveCount":     o.maxReceiveCount,
		})
		attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)] = string(policy)
	}
	out, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return nil, fmt.Errorf("localstack: create queue %q: %w", name, err)
	}
	ga, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return nil, fmt.Errorf("localstack: queue %q: get ARN: %w", name, err)
	}
	return &Queue{
		Name: name,
		URL:  aws.ToString(out.QueueUrl),
		ARN:  ga.Attributes[string(sqstypes.QueueAttributeNameQueueArn)],
		DLQ:  dlq,
	}, nil
}
