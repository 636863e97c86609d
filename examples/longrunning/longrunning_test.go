package longrunning_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/examples/stack"
	"github.com/lambdakit/lambdakit/localstack"
)

func TestMain(m *testing.M) { localstack.Main(m) }

func checksum(n int) string {
	var c uint32
	for i := range n {
		c = crc32.Update(c, crc32.IEEETable, []byte(strconv.Itoa(i)))
	}
	return fmt.Sprintf("%08x", c)
}

// TestWorkflow runs the longrunning state machine in the emulator with the
// real handlers, the DynamoDB checkpoint store and the report queue's
// event-source mapping. Iterate gets a 2s timeout (the template's is 60s), so
// a job of about 3s of work needs several invocations, each resuming from the
// checkpoint. The queue's visibility timeout is 20s (the template's is 30
// minutes), which also bounds the slow worker's timeout.
func TestWorkflow(t *testing.T) {
	em := localstack.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dep, err := localdeploy.Deploy(ctx, em, longrunning.Stack(),
		localdeploy.WithPrefix("longrunning-e2e"), localdeploy.WithRoot("../.."),
		localdeploy.WithFunctionTimeout("LongRunningIterateFunction", 2*time.Second),
		localdeploy.WithVisibilityTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})

	const items = 150
	ex, err := dep.Run(ctx, "LongRunningStateMachine", "job-1", fmt.Sprintf(`{"jobId":"job-1","totalItems":%d,"reportSeconds":1}`, items))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("execution ended %s %s: %s; invocations %v", ex.Status, ex.Error, ex.Cause, dep.Invocations())
	}
	var out struct {
		JobID       string             `json:"jobId"`
		Iterations  int                `json:"iterations"`
		Invocations int                `json:"invocations"`
		Report      longrunning.Report `json:"report"`
	}
	if err := json.Unmarshal([]byte(ex.Output), &out); err != nil {
		t.Fatal(err)
	}
	iterate := dep.Invocations()["LongRunningIterateFunction"]
	if iterate < 3 || int64(out.Invocations) != iterate {
		t.Errorf("Iterate ran %d times and the checkpoint counts %d invocations; want the same, at least 3", iterate, out.Invocations)
	}
	out.Report.Took, out.Invocations = "", 0
	want := struct {
		JobID       string             `json:"jobId"`
		Iterations  int                `json:"iterations"`
		Invocations int                `json:"invocations"`
		Report      longrunning.Report `json:"report"`
	}{
		JobID:      "job-1",
		Iterations: items,
		Report:     longrunning.Report{JobID: "job-1", Processed: items, Checksum: checksum(items), Verdict: "complete"},
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if n := dep.Invocations()["LongRunningSlowWorkerFunction"]; n != 1 {
		t.Errorf("SlowWorker ran %d times, want 1", n)
	}

	// The checkpoint is in the table, completed, with one version per
	// invocation and a TTL.
	item, err := dynamodb.NewFromConfig(dep.AWSConfig()).GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(dep.Value(stack.NameOf("CheckpointTable"))),
		Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "job-1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := item.Item["completed"].(*ddbtypes.AttributeValueMemberBOOL); !ok || !c.Value {
		t.Errorf("checkpoint not completed: %v", item.Item)
	}
	if v, ok := item.Item["version"].(*ddbtypes.AttributeValueMemberN); !ok || v.Value != strconv.FormatInt(iterate, 10) {
		t.Errorf("checkpoint version %v, want %d (one save per invocation)", item.Item["version"], iterate)
	}
	if _, ok := item.Item["expiration"]; !ok {
		t.Error("checkpoint has no TTL attribute")
	}

	// WriteReport has HeartbeatSeconds 10; a report that takes 12s only
	// survives because the worker heartbeats every 3s.
	t.Run("report slower than HeartbeatSeconds", func(t *testing.T) {
		ex, err := dep.Run(ctx, "LongRunningStateMachine", "job-slow", `{"jobId":"job-slow","totalItems":5,"reportSeconds":12}`)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("execution ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
		}
	})

	t.Run("invalid job fails", func(t *testing.T) {
		ex, err := dep.Run(ctx, "LongRunningStateMachine", "job-bad", `{"jobId":"job-bad","totalItems":0,"reportSeconds":0}`)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status != "FAILED" || ex.Error != "InvalidJobError" {
			t.Fatalf("execution ended %s %q, want FAILED InvalidJobError", ex.Status, ex.Error)
		}
	})
}
