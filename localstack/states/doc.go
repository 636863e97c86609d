// Package states is the test bed's Step Functions engine: it runs Amazon
// States Language state machines in process, the way AWS Step Functions
// runs them, so that tests of workflows with real Go handlers are exact and
// need no Docker.
//
// An [Engine] has the Step Functions client's methods with the SDK's
// signatures and error types, so code written against a consumer-side
// interface of *sfn.Client runs against it unchanged:
//
//	e := states.New(states.WithTaskRunner(runner), states.WithVirtualTime(start))
//	defer e.Close()
//	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("orders"), Definition: aws.String(asl), RoleArn: aws.String(role)})
//	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"order":1}`)})
//
// Definitions are parsed and validated by package asl; states run in either
// query language, JSONPath or JSONata, with workflow variables (Assign). A
// Distributed Map runs as a Map Run, reads its items with an ItemReader (S3
// JSON, JSONL, CSV or a listing), batches them with an ItemBatcher and
// writes a ResultWriter's files, asking the TaskRunner for the S3 calls.
// Task states hand their resource to a [TaskRunner] (the test bed's one
// calls Go Lambda handlers and the emulator's services, S3 included);
// .waitForTaskToken tasks wait for
// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat. Time is the wall
// clock, the wall clock scaled ([WithTimeScale]), or virtual
// ([WithVirtualTime]): then a Wait of an hour, a Retry back-off or a
// heartbeat timeout completes at once, in an exact order.
//
// What AWS documents is what the engine follows:
// https://states-language.net/spec.html and
// https://docs.aws.amazon.com/step-functions/latest/dg/welcome.html; where the
// documentation is silent, AWS-recorded responses decide (see the tests).
package states
