package longrunning

import (
	"time"

	"github.com/lambdakit/lambdakit/examples/stack"
)

// Stack describes the example's resources as template.yaml declares them.
func Stack() stack.Spec {
	return stack.Spec{
		Name: "longrunning",
		Functions: []stack.Function{
			{
				LogicalID: "LongRunningIterateFunction",
				CodeURI:   "examples/longrunning/functions/iterate",
				New:       NewIterate,
				Timeout:   60 * time.Second,
				Environment: map[string]stack.Ref{
					"CHECKPOINT_TABLE": stack.NameOf("CheckpointTable"),
					// CHECKPOINT_TTL_DAYS is a template parameter, not a
					// resource; the local deployment uses the default.
				},
			},
			{
				LogicalID: "LongRunningSlowWorkerFunction",
				CodeURI:   "examples/longrunning/functions/slowworker",
				New:       NewSlowWorker,
				Timeout:   300 * time.Second,
				SQS:       &stack.SQSEvent{Queue: "LongRunningReportQueue", BatchSize: 1, MaximumConcurrency: 2},
			},
		},
		Queues: []stack.Queue{{
			LogicalID:         "LongRunningReportQueue",
			DLQ:               "LongRunningReportDLQ",
			MaxReceiveCount:   3,
			VisibilityTimeout: 1800 * time.Second,
		}},
		Tables: []stack.Table{{LogicalID: "CheckpointTable", PartitionKey: "id", TTLAttribute: "expiration"}},
		StateMachines: []stack.StateMachine{{
			LogicalID:     "LongRunningStateMachine",
			DefinitionURI: "examples/longrunning/statemachine.asl.json",
			Substitutions: map[string]stack.Ref{
				"IterateFunctionArn": stack.ArnOf("LongRunningIterateFunction"),
				"ReportQueueUrl":     stack.NameOf("LongRunningReportQueue"),
			},
		}},
	}
}
