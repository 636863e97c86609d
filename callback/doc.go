// Package callback answers Step Functions task tokens automatically: the
// callback pattern (.waitForTaskToken), in which a workflow hands work to a
// Lambda function or an SQS queue and waits for SendTaskSuccess or
// SendTaskFailure.
//
// The work is an ordinary [handler.Func], func(ctx, In) (Out, error).
// callback finds the task token where the state machine put it
// ("TaskToken.$": "$$.Task.Token"), decodes the rest of the payload into In,
// runs the work and answers the task:
//
//   - success: SendTaskSuccess with the output as JSON; an output over the
//     262,144 bytes Step Functions accepts is never truncated, the task fails
//     with lambdakit.OutputTooLarge ([NameOutputTooLarge]) instead;
//   - failure: SendTaskFailure with an error name a Catch can match (from an
//     [*Error], an error implementing [Namer], else the Go type name, as the
//     Lambda runtime names errors) and the message as the cause, cut at a
//     character boundary to the API's 256 and 32,768 characters;
//   - panic: answered as a failure named PanicError, never left waiting.
//
// [WithHeartbeat] sends SendTaskHeartbeat while the work runs, for tasks with
// HeartbeatSeconds. A heartbeat that finds the task closed (TaskTimedOut,
// TaskDoesNotExist) cancels the work's context, and no further call is made.
//
// Three entry points share these rules: [Handler] for a
// lambda:invoke.waitForTaskToken task, [SQSWorker] for messages of a
// sqs:sendMessage.waitForTaskToken task, processed by the batch package, and
// [Run] for a token that arrives any other way:
//
//	sfnClient := sfn.NewFromConfig(cfg)
//	handler.Start(handler.Chain(callback.Handler(sfnClient, resize), handler.Defaults()...))
//	handler.Start(batch.SQS(callback.SQSWorker(sfnClient, resize)))
//
// Delivery: transient failures (throttling, 5xx, connection errors) are
// retried by the Step Functions client's own retryer; callback adds no retry
// loop, and makes sure the terminal errors are never retried, whatever the
// retryer. An answer that still fails is a [*DeliveryError]: the invocation
// or the SQS record fails so that a retry or a redelivery tries again (the
// work then runs again, so make it idempotent). A closed task is not an
// error worth retrying: a redelivered message whose token was answered is
// deleted. Task tokens, which can answer a task, appear in logs and errors
// only as a short hash.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token,
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html and
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html.
package callback
