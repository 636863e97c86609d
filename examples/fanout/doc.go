// Package fanout is the workflow of the users' write-up on orchestrating
// concurrent tasks: a Distributed Map fans out over a list of items; light
// items are processed by a Lambda function directly ([ProcessItem]), heavy
// ones are siphoned off to an SQS queue (sqs:sendMessage.waitForTaskToken)
// whose worker ([NewWorker], batch + callback) runs with limited concurrency
// (ScalingConfig.MaximumConcurrency in the template), and answers each item's
// task token, so the Map still gathers every result in order.
//
// [Stack] describes the example's resources as template.yaml declares them.
package fanout
