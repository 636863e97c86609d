package iterator

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// TestEndToEnd runs the iterator as a Lambda function with a 2 s timeout
// under the state machine in testdata, the same ASL as the package doc: the
// job needs several invocations, and after two of them the execution
// continues as a new one (states:startExecution) with the same key, until the
// job completes.
func TestEndToEnd(t *testing.T) {
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	client, table := newTable(t)

	const items = 90
	var mu sync.Mutex
	processed := make(map[int]int)
	step := func(ctx context.Context, st *job) (bool, error) {
		time.Sleep(40 * time.Millisecond) // the work on one item
		mu.Lock()
		processed[st.Next]++
		mu.Unlock()
		st.Next++
		st.Total = items
		return st.Next == items, nil
	}
	it := New(NewDynamoDBStore(client, table), step, quiet(),
		WithMargin(200*time.Millisecond), WithContinueAfter(2),
		WithResult(func(s job) any { return map[string]int{"Processed": s.Next} }))
	fn := "iterator-e2e"
	fnARN, err := em.RegisterFunction(ctx, fn,
		it.Handler(handler.Recover(), handler.DeadlineMargin(100*time.Millisecond)),
		2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	smARN, err := fixture.DeployStateMachine(ctx, cfg, "iterator-e2e", filepath.Join("testdata", "statemachine.asl.json"),
		map[string]string{"IteratorFunctionArn": fnARN})
	if err != nil {
		t.Fatal(err)
	}

	// The table is new for each run; the key and execution names are too.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	key := "job-" + run
	ex, err := fixture.RunExecution(ctx, cfg, smARN, "iterator-e2e-"+run, `{"Key":"`+key+`"}`)
	if err != nil {
		t.Fatal(err)
	}
	executions := 1
	sfnClient := sfn.NewFromConfig(cfg)
	for ex.Status == "SUCCEEDED" {
		var started struct{ ExecutionArn string }
		if err := json.Unmarshal([]byte(ex.Output), &started); err != nil || started.ExecutionArn == "" {
			break // the job's last execution: its output is the iterator's
		}
		executions++
		ex = waitExecution(ctx, t, sfnClient, started.ExecutionArn)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("execution %d: status %s, error %s: %s", executions, ex.Status, ex.Error, ex.Cause)
	}
	var final struct {
		Key      string
		Iterator struct{ Output Output }
	}
	if err := json.Unmarshal([]byte(ex.Output), &final); err != nil {
		t.Fatalf("final output %s: %v", ex.Output, err)
	}
	out := final.Iterator.Output
	var result struct{ Processed int }
	if err := json.Unmarshal(out.Result, &result); err != nil {
		t.Errorf("Result %s: %v", out.Result, err)
	}
	if !out.IsCompleted || out.Iterations != items || result.Processed != items || final.Key != key {
		t.Errorf("final output = %s, want completed after %d iterations", ex.Output, items)
	}
	if out.Invocations < 3 || executions < 2 {
		t.Errorf("%d invocations in %d executions; want the job spread over at least 3 invocations and 2 executions", out.Invocations, executions)
	}
	mu.Lock()
	for i := range items {
		if processed[i] != 1 {
			t.Errorf("item %d processed %d times, want exactly once", i, processed[i])
		}
	}
	mu.Unlock()
	item := getRaw(t, client, table, key)
	if v, ok := item["completed"]; !ok || flatten(map[string]types.AttributeValue{"c": v})["c"] != "BOOL:true" {
		t.Errorf("checkpoint not marked completed: %v", flatten(item))
	}
	t.Logf("%d items in %d invocations over %d executions", items, out.Invocations, executions)
}

// waitExecution polls an execution started by the state machine itself
// until it finishes.
func waitExecution(ctx context.Context, t *testing.T, client *sfn.Client, arn string) *fixture.Execution {
	t.Helper()
	for {
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("describe %s: %v", arn, err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			return &fixture.Execution{ARN: arn, Status: string(d.Status), Output: aws.ToString(d.Output), Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("execution %s still running: %v", arn, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
