package localstack

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Static test credentials. moto maps any non-numeric access key to its
// default account 123456789012, and LocalStack accepts "test" the same way.
const (
	testAccessKey = "test"
	testSecretKey = "test"
)

// Config returns an aws.Config whose clients (sfn, sqs, dynamodb, lambda, ...)
// reach an emulator: the endpoint is [WithEndpoint], else AWS_ENDPOINT_URL,
// else http://LOCALSTACK_HOST, else http://localhost:4566. The region follows
// [WithRegion], AWS_REGION, AWS_DEFAULT_REGION, then us-east-1, and the
// credentials are static test ones, so no shared config file or real
// account is ever consulted. Config does no I/O; use [WaitReady] to wait for
// the endpoint.
func Config(ctx context.Context, opts ...Option) (aws.Config, error) {
	if err := ctx.Err(); err != nil {
		return aws.Config{}, err
	}
	o := newOptions(opts)
	endpoint := o.endpoint
	if endpoint == "" {
		endpoint, _ = envEndpoint()
	}
	if endpoint == "" {
		endpoint = defaultEndpoint
	}
	if err := validateEndpoint(endpoint); err != nil {
		return aws.Config{}, err
	}
	return awsConfig(endpoint, o.region), nil
}

func validateEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("localstack: endpoint %q is not an http(s) URL", endpoint)
	}
	return nil
}

func awsConfig(endpoint, region string) aws.Config {
	// A short dial timeout makes an unreachable endpoint fail in seconds
	// instead of the default 30s per attempt; there is deliberately no overall
	// request timeout, because SQS long polls hold a request for up to 20s.
	httpClient := awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) {
		d.Timeout = 3 * time.Second
	})
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(strings.TrimRight(endpoint, "/")),
		Credentials: aws.NewCredentialsCache(
			credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		),
		HTTPClient:       httpClient,
		RetryMaxAttempts: 3,
		APIOptions:       []func(*middleware.Stack) error{noHostPrefix},
	}
}

// noHostPrefix keeps the SDK from prefixing the endpoint's host for some
// operations (sync-<host> for StartSyncExecution): a local endpoint has
// one host, and sync-127.0.0.1 does not resolve.
func noHostPrefix(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("lambdakit.NoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}
