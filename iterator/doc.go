// Package iterator runs work longer than one Lambda invocation inside a Step
// Functions workflow: each invocation works until the next step would not
// fit in the time left, saves a checkpoint, and answers IsCompleted; a Choice
// state loops back until the job is done. This is the iterator pattern of the
// AWS blog post "Iterating a Loop Using Lambda"
// (https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-create-iterate-pattern-section.html),
// made safe against concurrent invocations and the history limit.
//
// The user writes a [Step] over a state type that encodes as JSON:
//
//	type job struct{ Next int }
//
//	store := iterator.NewDynamoDBStore(dynamodb.NewFromConfig(cfg), "checkpoints")
//	it := iterator.New(store, func(ctx context.Context, s *job) (bool, error) {
//		if err := process(ctx, s.Next); err != nil {
//			return false, err
//		}
//		s.Next++
//		return s.Next == total, nil
//	})
//	handler.Start(it.Handler(handler.Defaults()...))
//
// # Stopping rule
//
// Steps run while the time left before the deadline, minus a fixed margin
// ([WithMargin], default 1 s, kept for the checkpoint write), is at least the
// predicted duration of the next step: the longest step seen, decaying by
// half every 128 steps, plus a quarter. The peak is saved with the
// checkpoint, so the next invocation starts from it. With steps of constant
// duration d, at most 1.25·d besides the margin is left unused, so an
// invocation of at least 25 steps uses ≥95% of its time. A step much longer
// than any seen before (or seen in the last few hundred steps) can still run
// into the margin, so the margin should cover the save plus the longest
// surprise a step may bring. The first step of an invocation always runs, so
// a job progresses even when a step once took very long. A context without a
// real deadline (a local run) gets [WithBudget].
//
// # Concurrency and failures
//
// An invocation claims the key with a lease that lasts until its deadline
// (plus [WithLeaseSlack]) in the same conditional write that reads the
// checkpoint, and saves with a write conditional on still holding the lease
// and on the version it read. Another invocation on the key meanwhile gets a
// [*ConflictError] without running the step, and an invocation that lost its
// lease (it ran past its deadline and another took over) discards its work
// with a [*ConflictError] at the save. A step error or panic ([*StepError]),
// a checkpoint that does not decode ([*CheckpointDecodeError]), an item over
// DynamoDB's 400 KB ([*TooLargeError], see [WithCompression]) or a store
// failure ([*StoreError]) fail the invocation and leave the last good
// checkpoint as it was; the lease is released so that a Retry can start at
// once. A completed key stays completed: invoking it again returns its output
// without running the step or writing.
//
// With [DynamoDBStore] an invocation makes two DynamoDB calls: the claim (a
// conditional UpdateItem that returns the item, so it is the read) and the
// save (a conditional PutItem). The table needs a string partition key ("id"
// by default, see [Attributes]) and, to expire old checkpoints, time to live
// on the TTL attribute ("expiration"). The function's role needs
// dynamodb:GetItem, dynamodb:PutItem and dynamodb:UpdateItem on the table.
//
// # State machine
//
// The Lambda task passes the job key and keeps the output under
// $.Iterator; the Choice state loops until IsCompleted. A Standard workflow
// stops at 25,000 history events, so after [WithContinueAfter] invocations
// (default 1,000) the output sets ContinueAsNew, and the state machine
// starts a new execution of itself with the same key and ends this one:
//
//	{
//	  "StartAt": "Iterate",
//	  "States": {
//	    "Iterate": {
//	      "Type": "Task",
//	      "Resource": "arn:aws:states:::lambda:invoke",
//	      "Parameters": {"FunctionName": "${IteratorFunctionArn}", "Payload": {"Key.$": "$.Key"}},
//	      "ResultSelector": {"Output.$": "$.Payload"},
//	      "ResultPath": "$.Iterator",
//	      "Retry": [
//	        {"ErrorEquals": ["ConflictError"], "IntervalSeconds": 2, "MaxAttempts": 5, "BackoffRate": 2},
//	        {"ErrorEquals": ["StoreError", "Sandbox.Timedout", "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"], "MaxAttempts": 6, "BackoffRate": 2}
//	      ],
//	      "Next": "Done?"
//	    },
//	    "Done?": {
//	      "Type": "Choice",
//	      "Choices": [
//	        {"Variable": "$.Iterator.Output.IsCompleted", "BooleanEquals": true, "Next": "Done"},
//	        {"Variable": "$.Iterator.Output.ContinueAsNew", "BooleanEquals": true, "Next": "ContinueAsNew"}
//	      ],
//	      "Default": "Iterate"
//	    },
//	    "ContinueAsNew": {
//	      "Type": "Task",
//	      "Resource": "arn:aws:states:::states:startExecution",
//	      "Parameters": {
//	        "StateMachineArn.$": "$$.StateMachine.Id",
//	        "Input": {"Key.$": "$.Key", "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}
//	      },
//	      "End": true
//	    },
//	    "Done": {"Type": "Succeed"}
//	  }
//	}
//
// The state machine's role needs states:StartExecution on itself for the
// ContinueAsNew state. The key must not be the execution name, which
// changes with each new execution.
//
// Retrying StoreError and Sandbox.Timedout is safe because a failed or
// timed-out invocation never overwrites the last good checkpoint. A
// timed-out invocation may still hold its lease until its deadline plus
// [WithLeaseSlack]; the ConflictError retrier waits that out. (The embedded
// emulator under load showed exactly this: a claim that took most of a
// three-second budget.)
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-continue-new.html
// for continuing as a new execution and
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
// for conditional writes.
package iterator
