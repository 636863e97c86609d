package longrunning

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/callback"
	"github.com/lambdakit/lambdakit/handler"
)

// HeartbeatEvery is how often the slow worker sends a heartbeat: well inside
// the WriteReport task's HeartbeatSeconds (10), so one late heartbeat does
// not fail the task.
const HeartbeatEvery = 3 * time.Second

// NewSlowWorker builds the SlowWorker function.
func NewSlowWorker(cfg aws.Config, _ func(string) string) (lambda.Handler, error) {
	return SlowWorker(sfn.NewFromConfig(cfg), HeartbeatEvery), nil
}

// SlowWorker returns the SlowWorker handler: for each message of the report
// queue it writes the report while sending a heartbeat every interval, and
// answers the message's task token with the report or the error. The
// mapping's batch size is 1, and one report at a time is processed.
func SlowWorker(api callback.API, every time.Duration) handler.HandlerFunc {
	worker := callback.SQSWorker(api, writeReport, callback.WithHeartbeat(every))
	return handler.Chain(batch.SQS(worker, batch.WithConcurrency(1)), handler.Defaults()...)
}
