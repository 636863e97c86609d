// Package localstack is lambdakit's AWS test bed: one local endpoint a test
// binary shares, with no Docker and no AWS account, that also works against
// a real LocalStack. Its family of packages, each with one job:
//
//   - localstack (this package): the emulator, embedded or attached, shared
//     by a test binary ([Main], [Shared]); Go handlers as Lambda functions
//     ([Emulator.RegisterFunction]); what the embedded emulator runs
//     ([Emulator.Moto]).
//   - localstack/fixture: queues, tables, state machines and executions, and
//     resource names valid for AWS.
//   - localstack/esm: the local SQS event-source mapping.
//   - localstack/runtimeapi: a built bootstrap behind an emulated Runtime API.
//   - localstack/states: the Step Functions engine ([Emulator.Engine]), and
//     localstack/asl, the definitions it parses and validates.
//
// # Embedded emulator (the default)
//
// [Start] serves one loopback endpoint: Step Functions calls go to
// lambdakit's engine in this process (package states), which runs Lambda
// tasks on the Go handlers of [Emulator.RegisterFunction] and scales Wait
// states and Retry intervals down ([WithWaitScale], 0.01 by default);
// everything else goes to moto server (pinned in launcher/requirements.txt),
// a child process started through a launcher embedded in the Go binary
// (launcher/moto_launcher.py). The launcher never lets moto start Docker and
// fixes what moto gets wrong through a registry of patches, each with a
// check and an apply step:
// among them, SQS operations and DynamoDB writes made atomic, so concurrent
// consumers neither lose nor double messages and a conditional write has one
// winner. [Emulator.Moto] lists every patch with its status, and [Shared]
// logs that list once per test binary.
//
// The SDKs prefix the host for StartSyncExecution (sync-127.0.0.1 does not
// resolve); [Emulator.AWSConfig] and [Config] turn that prefix off for Go
// clients, and boto3 needs Config(inject_host_prefix=False). The AWS CLI
// has no such switch, so its start-sync-execution cannot reach a local
// endpoint.
//
// The child dies with the test process, panics included, and
// [Emulator.Close] kills its process group. Install moto with `make test`
// (scripts/ensure-moto.sh) or pip install -r launcher/requirements.txt.
// Without moto, [Shared] skips integration tests with that hint, except under
// CI=true, where a missing emulator fails the run. LAMBDAKIT_PYTHON names the
// interpreter (default python3).
//
// # Real LocalStack
//
// When AWS_ENDPOINT_URL (or LOCALSTACK_HOST, host:port) is set, nothing is
// launched and the same tests run against that endpoint:
//
//	AWS_ENDPOINT_URL=http://localhost:4566 make test
//
// LocalStack images published since 2026-03-23 need LOCALSTACK_AUTH_TOKEN.
// [Emulator.RegisterFunction] needs the embedded emulator, because the
// emulator must call back into the test process; on LocalStack it returns
// [ErrNotEmbedded], and [Emulator.Reset] (moto's /moto-api/reset) fails.
//
// # Using it in your own tests
//
//	func TestMain(m *testing.M) { localstack.Main(m) }
//
//	func TestCheckout(t *testing.T) {
//		cfg := localstack.Shared(t).AWSConfig() // sfn, sqs, dynamodb, lambda clients from this
//		q, err := fixture.CreateQueue(t.Context(), cfg, fixture.Name(t, "orders"), fixture.WithDLQ(3))
//		...
//	}
//
// Code under test that builds its own clients can use [Config], which
// resolves the endpoint from the environment with static test credentials,
// and [WaitReady].
//
// # Lambda functions
//
// [Emulator.RegisterFunction] makes a Go [github.com/aws/aws-lambda-go/lambda.Handler]
// the code of a Lambda function in the emulator. A state machine's
// arn:aws:states:::lambda:invoke task (also .waitForTaskToken) and Lambda
// Invoke calls run it in the test process, with Lambda's invocation context
// (deadline, lambdacontext, trace header) and Lambda's error reporting: the
// errorType is the returned error's Go type name, so Retry and Catch on it
// work as on AWS.
//
// See https://docs.getmoto.org/en/latest/docs/server_mode.html and
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html.
package localstack
