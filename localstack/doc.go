// Package localstack is lambdakit's AWS test bed: an emulator in every test
// run, with no Docker and no AWS account, that also works against a real
// LocalStack.
//
// # Embedded emulator (the default)
//
// [Start] launches moto server (Python, moto >= 5.2.1 with its server extras)
// as a child process on a free loopback port, through a launcher shipped in
// this package (launcher/moto_launcher.py, embedded in the Go binary). The
// launcher turns Step Functions execution on, never lets moto start Docker,
// and scales Wait states and Retry intervals down ([WithWaitScale], 0.01 by
// default) so state machines with long waits test quickly. It patches moto
// 5.2.1's bugs, each only after checking that the installed moto has it, and
// names the patches it applied in its ready line:
//
//   - statemachine-deepcopy: every StartExecution after the first failed with
//     "cannot pickle '_thread.RLock'" (fixed upstream in 5.2.3);
//   - send-task-failure-cause: SendTaskFailure dropped its cause;
//   - sfn-start-execution: the states:startExecution integration (.sync and
//     .sync:2 too) passed PascalCase parameters to botocore and read the
//     wrong response keys, so a parent could not start a child;
//   - sfn-early-heartbeat: a waitForTaskToken task answered, or heartbeating,
//     while its Lambda invoke was still running timed out anyway;
//   - describe-execution-input-details: DescribeExecution left out
//     inputDetails;
//   - states-errors-in-branches: a States.* error leaving a Map iteration or
//     Parallel branch became States.Runtime, which no Catch matched;
//   - sqs-fifo-redelivery, sqs-receive-cost, sqs-fast-clock: FIFO messages
//     of one group redelivered out of order, and SendMessage/ReceiveMessage
//     costing time in proportion to the queue's depth.
//
// The child dies with the test process, panics included, and
// [Emulator.Close] kills its process group.
//
// Install moto with
//
//	python3 -m pip install "moto[server]>=5.2.1"
//
// or let `make test` do it (scripts/ensure-moto.sh). Without moto, [Shared]
// skips integration tests with that hint, except under CI=true, where a
// missing emulator fails the run.
//
// # Real LocalStack
//
// When AWS_ENDPOINT_URL (or LOCALSTACK_HOST, host:port) is set, nothing is
// launched and the same tests run against that endpoint:
//
//	AWS_ENDPOINT_URL=http://localhost:4566 make test
//
// LocalStack images published since 2026-03-23 need LOCALSTACK_AUTH_TOKEN in
// the container's environment to start. [Emulator.RegisterFunction] works
// only with the embedded emulator, because it needs the emulator to call back
// into the test process; on LocalStack it returns [ErrNotEmbedded], and
// [Emulator.Reset] (moto's /moto-api/reset) fails.
//
// # Using it in your own tests
//
// One emulator serves a whole test binary. Start it from TestMain and take it
// in each test:
//
//	func TestMain(m *testing.M) { localstack.Main(m) }
//
//	func TestCheckout(t *testing.T) {
//		em := localstack.Shared(t)
//		cfg := em.AWSConfig() // sfn, sqs, dynamodb, lambda clients from this
//		q, err := fixture.CreateQueue(ctx, cfg, "orders-"+t.Name(), fixture.WithDLQ(3))
//		...
//		arn, err := fixture.DeployStateMachine(ctx, cfg, "checkout", "statemachine/checkout.asl.json",
//			map[string]string{"QueueUrl": q.URL})
//		ex, err := fixture.RunExecution(ctx, cfg, arn, "", `{"order":"o-1"}`)
//	}
//
// Tests share the emulator, so give resources per-test names. Code under test
// that builds its own clients can use [Config], which resolves the endpoint
// from the environment with static test credentials, and [WaitReady].
//
// # Lambda functions
//
// [Emulator.RegisterFunction] makes a Go [github.com/aws/aws-lambda-go/lambda.Handler]
// the code of a Lambda function in the emulator. A state machine's
// arn:aws:states:::lambda:invoke task (also .waitForTaskToken) and Lambda
// Invoke calls run it in the test process, with Lambda's invocation context
// (deadline, lambdacontext) and Lambda's error reporting: the errorType is
// the returned error's Go type name, so Retry and Catch on it work as on AWS.
//
// Two more Lambda stand-ins live in this package: [NewEventSourceMapping]
// polls an SQS queue and invokes a handler with Lambda-shaped batches (the
// event-source mapping, batchItemFailures included) against any SQS
// endpoint, and [StartRuntime] runs a built bootstrap binary behind an
// emulated Lambda Runtime API, with no AWS emulator involved.
//
// See https://docs.getmoto.org/en/latest/docs/server_mode.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html and
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-statemachine.html#sam-statemachine-definitionsubstitutions.
package localstack
