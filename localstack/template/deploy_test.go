package template_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
	"github.com/lambdakit/lambdakit/localstack/template"
)

// TestDeployProjectTemplate deploys the project's template.yaml, the
// functions bound to stub handlers, with the log group skipped.
func TestDeployProjectTemplate(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	opts := append(allHandlers(), template.WithSkipUnsupported(), quiet)
	st := template.DeployInTest(t, em, "../../template.yaml", opts...)

	if diff := cmp.Diff([]string{"FunctionLogGroup"}, logicalIDs(st.Skipped)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	var outputs []string
	for k := range st.Outputs {
		outputs = append(outputs, k)
	}
	slices.Sort(outputs)
	want := []string{"CheckpointTableName", "ChildStateMachineArn", "FanoutHeavyDLQUrl", "FanoutStateMachineArn",
		"LongRunningStateMachineArn", "OrdersStateMachineArn", "ParentStateMachineArn", "PipelineDLQUrl", "PipelineQueueUrl"}
	if diff := cmp.Diff(want, outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if got, want := st.Outputs["OrdersStateMachineArn"], ":stateMachine:"+st.Name+"-orders"; !strings.HasSuffix(got, want) {
		t.Errorf("OrdersStateMachineArn = %q, want a name ending in %q", got, want)
	}
	iterate, _ := st.Resource("LongRunningIterateFunction")
	wantEnv := map[string]string{"CHECKPOINT_TABLE": st.Outputs["CheckpointTableName"], "CHECKPOINT_TTL_DAYS": "7"}
	if diff := cmp.Diff(wantEnv, iterate.Environment); diff != "" {
		t.Errorf("iterate environment (-want +got):\n%s", diff)
	}
	cfg := em.AWSConfig()
	attrs, err := sqs.NewFromConfig(cfg).GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(st.Outputs["PipelineQueueUrl"]), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	wantPolicy := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":3}`, st.GetAtt("PipelineDLQ", "Arn"))
	assertJSON(t, wantPolicy, attrs.Attributes["RedrivePolicy"])
	if attrs.Attributes["VisibilityTimeout"] != "180" {
		t.Errorf("VisibilityTimeout = %s, want 180", attrs.Attributes["VisibilityTimeout"])
	}
	ttl, err := dynamodb.NewFromConfig(cfg).DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(st.Outputs["CheckpointTableName"])})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(ttl.TimeToLiveDescription.AttributeName); got != "expiration" {
		t.Errorf("TTL attribute = %q, want expiration", got)
	}
	fn, err := awslambda.NewFromConfig(cfg).GetFunctionConfiguration(t.Context(), &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(st.Ref("FanoutWorkerFunction"))})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(fn.Timeout); got != 60 {
		t.Errorf("FanoutWorkerFunction timeout = %d, want 60", got)
	}
}

// TestSQSEventWithRedrive sends good and poison messages: the good ones
// reach the bound handler, with its environment resolved, and the poison
// one ends in the DLQ after maxReceiveCount receives.
func TestSQSEventWithRedrive(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	var mu sync.Mutex
	var seen []string
	var env map[string]string
	consumer := func(_ aws.Config, getenv func(string) string) (lambda.Handler, error) {
		mu.Lock()
		env = map[string]string{"DLQ_URL": getenv("DLQ_URL"), "QUEUE_NAME": getenv("QUEUE_NAME"), "FROM_GLOBALS": getenv("FROM_GLOBALS")}
		mu.Unlock()
		return handlerFunc(func(_ context.Context, payload []byte) ([]byte, error) {
			var ev events.SQSEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, err
			}
			var resp events.SQSEventResponse
			mu.Lock()
			defer mu.Unlock()
			for _, r := range ev.Records {
				if r.Body == "poison" {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
					continue
				}
				seen = append(seen, r.Body)
			}
			return json.Marshal(resp)
		}), nil
	}
	st := template.DeployInTest(t, em, "testdata/sqs.yaml", template.WithHandler("Consumer", consumer), quiet)

	mu.Lock()
	wantEnv := map[string]string{"DLQ_URL": st.Ref("Dead"), "QUEUE_NAME": st.GetAtt("Work", "QueueName"), "FROM_GLOBALS": "yes"}
	if diff := cmp.Diff(wantEnv, env); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	mu.Unlock()
	if st.Outputs["WorkUrl"] != st.Ref("Work") || st.Outputs["DeadArn"] != st.GetAtt("Dead", "Arn") {
		t.Errorf("outputs = %v", st.Outputs)
	}
	client := sqs.NewFromConfig(em.AWSConfig())
	send(t, client, st.Ref("Work"), "ok-1", "poison", "ok-2")

	dead := waitMessages(t, client, st.Ref("Dead"), 1, 30*time.Second)
	if dead[0] != "poison" {
		t.Errorf("DLQ holds %q, want poison", dead)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(seen)
	if diff := cmp.Diff([]string{"ok-1", "ok-2"}, seen); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
}

// TestFIFOQueueAndTables checks the attributes of a FIFO queue, a table
// with a GSI, TTL and a stream, and a SimpleTable.
func TestFIFOQueueAndTables(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	st := template.DeployInTest(t, em, "testdata/table.yaml", quiet)
	cfg := em.AWSConfig()

	attrs, err := sqs.NewFromConfig(cfg).GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(st.Ref("Jobs")), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, k := range []string{"FifoQueue", "ContentBasedDeduplication", "VisibilityTimeout"} {
		got[k] = attrs.Attributes[k]
	}
	if diff := cmp.Diff(map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "45"}, got); diff != "" {
		t.Errorf("queue attributes (-want +got):\n%s", diff)
	}
	if name := st.Outputs["JobsName"]; name != st.Name+"-jobs.fifo" {
		t.Errorf("JobsName = %q", name)
	}

	ddb := dynamodb.NewFromConfig(cfg)
	desc, err := ddb.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(st.Ref("Orders"))})
	if err != nil {
		t.Fatal(err)
	}
	tbl := desc.Table
	if len(tbl.GlobalSecondaryIndexes) != 1 || aws.ToString(tbl.GlobalSecondaryIndexes[0].IndexName) != "byCustomer" ||
		tbl.GlobalSecondaryIndexes[0].Projection.ProjectionType != ddbtypes.ProjectionTypeKeysOnly {
		t.Errorf("GSIs = %+v", tbl.GlobalSecondaryIndexes)
	}
	if len(tbl.KeySchema) != 2 || aws.ToString(tbl.KeySchema[1].AttributeName) != "sk" {
		t.Errorf("key schema = %+v", tbl.KeySchema)
	}
	if st.Outputs["OrdersStream"] == "" || st.Outputs["OrdersStream"] != aws.ToString(tbl.LatestStreamArn) {
		t.Errorf("OrdersStream = %q, table stream %q", st.Outputs["OrdersStream"], aws.ToString(tbl.LatestStreamArn))
	}
	ttl, err := ddb.DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(st.Ref("Orders"))})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Errorf("TTL = %+v", ttl.TimeToLiveDescription)
	}
	sess, err := ddb.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(st.Outputs["SessionsName"])})
	if err != nil {
		t.Fatal(err)
	}
	if k := sess.Table.KeySchema; len(k) != 1 || aws.ToString(k[0].AttributeName) != "sessionId" {
		t.Errorf("SimpleTable keys = %+v", k)
	}
}

// TestStateMachine runs a state machine whose DefinitionSubstitutions name
// a bound function's ARN and a queue's URL to SUCCEEDED.
func TestStateMachine(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	worker := bind(func(_ context.Context, payload []byte) ([]byte, error) {
		var in struct{ Order string }
		if err := json.Unmarshal(payload, &in); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"done": in.Order})
	})
	st := template.DeployInTest(t, em, "testdata/machine.yaml", template.WithHandler("Worker", worker), quiet)
	if st.Outputs["FlowArn"] != st.Ref("Flow") || st.Outputs["FlowName"] != st.Name+"-flow" || st.Outputs["InlineArn"] == "" {
		t.Errorf("outputs = %v", st.Outputs)
	}
	cfg := em.AWSConfig()
	ex, err := fixture.RunExecution(t.Context(), cfg, st.Outputs["FlowArn"], "", `{"Order":"o-1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s", ex.Status, ex.Error, ex.Cause)
	}
	got := waitMessages(t, sqs.NewFromConfig(cfg), st.Ref("Results"), 1, 10*time.Second)
	assertJSON(t, `{"done":"o-1"}`, got[0])

	desc, err := sfn.NewFromConfig(cfg).DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(st.Ref("Inline"))})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Type != sfntypes.StateMachineTypeExpress || !strings.Contains(aws.ToString(desc.Definition), `"hello world"`) {
		t.Errorf("inline machine: %s %s", desc.Type, aws.ToString(desc.Definition))
	}
}

// TestIntrinsicsParametersConditions deploys one queue whose name and
// settings come from parameters, mappings and conditions, and checks the
// resolved Outputs.
func TestIntrinsicsParametersConditions(t *testing.T) {
	t.Parallel()
	src := `Parameters:
  Names:
    Type: CommaDelimitedList
    Default: "a, b, c"
  Size:
    Type: Number
    Default: 5
    MinValue: 1
Mappings:
  Env:
    us-east-1: {Suffix: east}
Conditions:
  Big: !Not [!Equals [!Ref Size, 5]]
  Either: !Or [!Condition Big, !Equals [!Select [1, !Ref Names], z]]
  Both: !And [!Condition Big, !Condition Either]
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Join ["-", [!FindInMap [Env, !Ref "AWS::Region", Suffix], !Select [2, !Ref Names], !Ref Size]]
      DelaySeconds: !If [Big, 10, !Ref "AWS::NoValue"]
  OnlyBig:
    Type: AWS::SQS::Queue
    Condition: Big
Outputs:
  Name: {Value: !GetAtt Q.QueueName}
  Either: {Value: !If [Either, "yes", "no"]}
  Encoded: {Value: !Base64 hi}
  Literal: {Value: !Sub ["${!Kept} ${X} ${AWS::Partition}", {X: !Ref Size}]}
  Names: {Value: !Ref Names}
  Url: {Value: !Sub "${Q.QueueUrl}"}
  Big:
    Condition: Big
    Value: !Ref OnlyBig
`
	tpl, err := template.Parse("intrinsics.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	em := localstack.Shared(t)
	tests := []struct {
		size     string
		want     map[string]string
		delay    string
		deployed []string
	}{
		{"5", map[string]string{"Either": "no"}, "0", []string{"Q"}},
		{"7", map[string]string{"Either": "yes"}, "10", []string{"Q", "OnlyBig"}},
	}
	for _, tt := range tests {
		t.Run("Size="+tt.size, func(t *testing.T) {
			t.Parallel()
			prefix := fixture.Name(t, "i")
			st, err := tpl.Deploy(t.Context(), em, template.WithPrefix(prefix), template.WithParameter("Size", tt.size), quiet)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := st.Close(context.Background()); err != nil {
					t.Error(err)
				}
			})
			want := map[string]string{
				"Name":    prefix + "-east-c-" + tt.size,
				"Encoded": "aGk=",
				"Literal": "${Kept} " + tt.size + " aws",
				"Names":   "a,b,c",
				"Url":     st.Ref("Q"),
			}
			for k, v := range tt.want {
				want[k] = v
			}
			if tt.size == "7" {
				want["Big"] = st.Ref("OnlyBig")
			}
			if diff := cmp.Diff(want, st.Outputs); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.deployed, logicalIDs(st.Resources)); diff != "" {
				t.Errorf("deployed (-want +got):\n%s", diff)
			}
			attrs, err := sqs.NewFromConfig(em.AWSConfig()).GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
				QueueUrl: aws.String(st.Ref("Q")), AttributeNames: []sqstypes.QueueAttributeName{"DelaySeconds"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := attrs.Attributes["DelaySeconds"]; got != tt.delay {
				t.Errorf("DelaySeconds = %s, want %s", got, tt.delay)
			}
		})
	}
}

// TestParallelDeployments deploys one template twice at once on one
// emulator: the names differ and each deployment's messages reach its own
// handler only.
func TestParallelDeployments(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	tpl, err := template.Parse("testdata/sqs.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	names := map[string]string{}
	for _, which := range []string{"one", "two"} {
		t.Run(which, func(t *testing.T) {
			t.Parallel()
			got := make(chan string, 10)
			consumer := bind(func(_ context.Context, payload []byte) ([]byte, error) {
				var ev events.SQSEvent
				if err := json.Unmarshal(payload, &ev); err != nil {
					return nil, err
				}
				for _, r := range ev.Records {
					got <- r.Body
				}
				return []byte(`{}`), nil
			})
			st, err := tpl.Deploy(t.Context(), em, template.WithPrefix(fixture.Name(t, "p")), template.WithHandler("Consumer", consumer), quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := st.Close(context.Background()); err != nil {
					t.Error(err)
				}
			}()
			mu.Lock()
			for other, q := range names {
				if q == st.Ref("Work") {
					t.Errorf("%s and %s share queue %s", which, other, q)
				}
			}
			names[which] = st.Ref("Work")
			mu.Unlock()
			send(t, sqs.NewFromConfig(em.AWSConfig()), st.Ref("Work"), "for-"+which)
			select {
			case body := <-got:
				if body != "for-"+which {
					t.Errorf("%s's handler got %q", which, body)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("no delivery")
			}
		})
	}
}

// TestCloseRemovesEverything deploys a queue, a table, a function and a state
// machine and checks that Close deletes them all.
func TestCloseRemovesEverything(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	tpl, err := template.Parse("testdata/machine.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := tpl.Deploy(t.Context(), em, template.WithPrefix(fixture.Name(t, "c")), template.WithHandler("Worker", bind(noop)), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
	cfg := em.AWSConfig()
	_, err = sqs.NewFromConfig(cfg).GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(st.GetAtt("Results", "QueueName"))})
	var noQueue *sqstypes.QueueDoesNotExist
	if !errors.As(err, &noQueue) {
		t.Errorf("queue after Close: %v", err)
	}
	_, err = awslambda.NewFromConfig(cfg).GetFunction(t.Context(), &awslambda.GetFunctionInput{FunctionName: aws.String(st.Ref("Worker"))})
	var noFunction *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &noFunction) {
		t.Errorf("function after Close: %v", err)
	}
	for _, id := range []string{"Flow", "Inline"} {
		_, err = sfn.NewFromConfig(cfg).DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(st.Ref(id))})
		var noMachine *sfntypes.StateMachineDoesNotExist
		if !errors.As(err, &noMachine) {
			t.Errorf("state machine %s after Close: %v", id, err)
		}
	}

	tables, err := template.Parse("testdata/table.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err = tables.Deploy(t.Context(), em, template.WithPrefix(fixture.Name(t, "t")), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err = dynamodb.NewFromConfig(cfg).DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(st.Ref("Orders"))})
	var noTable *ddbtypes.ResourceNotFoundException
	if !errors.As(err, &noTable) {
		t.Errorf("table after Close: %v", err)
	}
}

// TestCodeUriFunction builds testdata/echo as sam build would and invokes it
// through Lambda: it runs under the Runtime API emulator with its
// template environment.
func TestCodeUriFunction(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	st := template.DeployInTest(t, em, "testdata/codeuri.yaml", quiet)
	out, err := awslambda.NewFromConfig(em.AWSConfig()).Invoke(t.Context(), &awslambda.InvokeInput{
		FunctionName: aws.String(st.Outputs["EchoName"]), Payload: []byte(`{"n":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("function error %s: %s", aws.ToString(out.FunctionError), out.Payload)
	}
	want := fmt.Sprintf(`{"greeting":"hello from %s","function":%q,"event":{"n":1}}`, st.Name, st.Ref("EchoFunction"))
	assertJSON(t, want, string(out.Payload))
}

func logicalIDs(rs []template.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.LogicalID)
	}
	return out
}

func send(t *testing.T, client *sqs.Client, url string, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if _, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitMessages receives (and deletes) n messages from the queue, failing the
// test after timeout.
func waitMessages(t *testing.T, client *sqs.Client, url string, n int, timeout time.Duration) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	var bodies []string
	for len(bodies) < n {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if ctx.Err() != nil {
			t.Fatalf("%s: %d of %d messages before the timeout: %v", url, len(bodies), n, bodies)
		}
		if err != nil {
			continue
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			_, _ = client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
	return bodies
}

// assertJSON compares JSON documents by value.
func assertJSON(t *testing.T, want, got string) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q: %v", want, err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got %q is not JSON: %v", got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
}
