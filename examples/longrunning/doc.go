// Package longrunning is the long-running job of the users' write-up on
// Lambda time limits, with both of its patterns:
//
//   - Iterator: [NewIterate] works through a job far longer than one
//     invocation. It runs one step at a time while the next step is predicted
//     to fit before the deadline minus a margin (the write-up's "stop with 60
//     seconds left", learned from the steps' own durations), saves its
//     progress as a checkpoint in DynamoDB and returns IsCompleted, on which
//     the state machine's Choice loops. Before the execution's history nears
//     the 25,000-event limit the output asks to continue as a new execution,
//     which resumes from the same checkpoint.
//   - Callback: [NewSlowWorker] is invoked by a lambda:invoke.waitForTaskToken
//     task with HeartbeatSeconds. It works for longer than the heartbeat
//     interval, so it sends heartbeats while it works, and answers the task
//     token with the report.
//
// [Stack] describes the example's resources as template.yaml declares them.
package longrunning
