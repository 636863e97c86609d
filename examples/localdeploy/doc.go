// Package localdeploy deploys an example's [stack.Spec] to lambdakit's local
// emulator (package localstack), the way `sam deploy` deploys template.yaml
// to AWS: the functions are the examples' real Go handlers, built by the same
// constructors as the Lambda binaries and registered behind lambda:invoke;
// the SQS event sources run as local event-source mappings with the
// template's batch size, concurrency and ReportBatchItemFailures; the state
// machines are created from the same ASL files with the same
// DefinitionSubstitutions, resolved to the local resources.
//
// One deliberate difference: queues get a short visibility timeout
// ([WithVisibilityTimeout], default 2s) and functions behind them a timeout
// no longer than it, so that a failed message is received again within
// seconds, not minutes, and a poison message reaches its DLQ during a test.
//
// The end-to-end tests of each example and cmd/demo use this package.
package localdeploy
