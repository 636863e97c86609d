package localstack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func deploy(t *testing.T, cfg aws.Config, file string, subs map[string]string) string {
	t.Helper()
	arn, err := fixture.DeployStateMachine(testContext(t), cfg, unique("sm"), filepath.Join("testdata", file), subs)
	if err != nil {
		t.Fatalf("DeployStateMachine(%s): %v", file, err)
	}
	return arn
}

// register registers h with the emulator. On an attached endpoint, where a
// Go handler cannot run, it instead checks the documented refusal and
// returns ok false, so the caller ends the test as passed rather than
// skipped.
func register(t *testing.T, em *localstack.Emulator, name string, h lambda.Handler, timeout time.Duration) (arn string, ok bool) {
	t.Helper()
	arn, err := em.RegisterFunction(testContext(t), name, h, timeout)
	if !em.Embedded() {
		if !errors.Is(err, localstack.ErrNotEmbedded) {
			t.Fatalf("RegisterFunction on an attached endpoint: err = %v, want ErrNotEmbedded", err)
		}
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return arn, true
}

func eventTypes(h []sfntypes.HistoryEvent) []string {
	var out []string
	for _, e := range h {
		out = append(out, string(e.Type))
	}
	return out
}

func TestStateMachinePassAndWait(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	arn := deploy(t, cfg, "pass_wait.asl.json", map[string]string{"WaitSeconds": "5"})

	ex, err := fixture.RunExecution(testContext(t), cfg, arn, "", `{"name":"lambdakit"}`)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("status = %s (error %q, cause %q), want SUCCEEDED", ex.Status, ex.Error, ex.Cause)
	}
	assertJSON(t, `{"greeting":"hello lambdakit"}`, ex.Output)
	types := eventTypes(ex.History)
	for _, want := range []string{"PassStateExited", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"} {
		if !slices.Contains(types, want) {
			t.Errorf("history has no %s event: %v", want, types)
		}
	}
}

// TestTwoExecutionsInARow: a state machine runs twice in a row (moto 5.2.1
// answered every StartExecution after the first with HTTP 500, "cannot
// pickle '_thread.RLock'").
func TestTwoExecutionsInARow(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	arn := deploy(t, cfg, "pass_wait.asl.json", map[string]string{"WaitSeconds": "0"})
	for i := range 3 {
		ex, err := fixture.RunExecution(testContext(t), cfg, arn, fmt.Sprintf("run-%d", i), `{"name":"again"}`)
		if err != nil {
			t.Fatalf("execution %d: %v", i, err)
		}
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("execution %d: status %s (%s: %s)", i, ex.Status, ex.Error, ex.Cause)
		}
	}
}

func TestSendTaskFailureCauseReachesCatch(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)
	q, err := fixture.CreateQueue(ctx, cfg, unique("worker"))
	if err != nil {
		t.Fatal(err)
	}
	arn := deploy(t, cfg, "task_token_sqs.asl.json", map[string]string{"QueueUrl": q.URL})

	type result struct {
		ex  *fixture.Execution
		err error
	}
	done := make(chan result, 1)
	go func() {
		ex, err := fixture.RunExecution(ctx, cfg, arn, "", `{"order":"o-1"}`)
		done <- result{ex, err}
	}()

	// Play the worker: take the token from the queue and report a failure.
	sqsc := sqs.NewFromConfig(cfg)
	var body struct {
		Token string `json:"token"`
		Order string `json:"order"`
	}
	for body.Token == "" {
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q.URL, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &body); err != nil {
				t.Fatalf("message body %q: %v", aws.ToString(m.Body), err)
			}
		}
	}
	if body.Order != "o-1" {
		t.Errorf("order in message = %q, want o-1", body.Order)
	}
	_, err = sfn.NewFromConfig(cfg).SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
		TaskToken: aws.String(body.Token),
		Error:     aws.String("PaymentDeclined"),
		Cause:     aws.String("card expired"),
	})
	if err != nil {
		t.Fatal(err)
	}

	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.ex.Status != "SUCCEEDED" {
		t.Fatalf("status = %s (%s: %s), want SUCCEEDED through the Catch", r.ex.Status, r.ex.Error, r.ex.Cause)
	}
	var out struct {
		Failure struct{ Error, Cause string }
	}
	if err := json.Unmarshal([]byte(r.ex.Output), &out); err != nil {
		t.Fatalf("output %q: %v", r.ex.Output, err)
	}
	if diff := cmp.Diff(struct{ Error, Cause string }{"PaymentDeclined", "card expired"}, out.Failure); diff != "" {
		t.Errorf("caught failure (-want +got):\n%s", diff)
	}
}

func TestQueueRedriveToDLQ(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)
	const maxReceive = 2
	q, err := fixture.CreateQueue(ctx, cfg, unique("orders")+".fifo",
		fixture.WithDLQ(maxReceive),
		fixture.WithVisibilityTimeout(0),
		fixture.WithQueueAttribute("ContentBasedDeduplication", "true"))
	if err != nil {
		t.Fatal(err)
	}
	if q.DLQ == nil || filepath.Ext(q.DLQ.Name) != ".fifo" || q.DLQ.ARN == "" {
		t.Fatalf("DLQ = %+v, want a FIFO queue with an ARN", q.DLQ)
	}
	sqsc := sqs.NewFromConfig(cfg)
	if _, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: &q.URL, MessageBody: aws.String("poison"), MessageGroupId: aws.String("g"),
	}); err != nil {
		t.Fatal(err)
	}
	// Receive without deleting, as a failing consumer does; the receive
	// after the maxReceiveCount-th moves the message to the DLQ.
	for i := range maxReceive {
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q.URL, VisibilityTimeout: 0})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) != 1 {
			t.Fatalf("receive %d: %d messages, want 1", i+1, len(out.Messages))
		}
	}
	out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q.URL})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 0 {
		t.Fatalf("source queue still delivers the message after %d receives", maxReceive)
	}
	dlq, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q.DLQ.URL, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(dlq.Messages) != 1 || aws.ToString(dlq.Messages[0].Body) != "poison" {
		t.Fatalf("DLQ messages = %+v, want the poison message", dlq.Messages)
	}
}

func TestConditionalWriteFails(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)
	table := unique("checkpoints")
	if err := fixture.CreateTable(ctx, cfg, fixture.TableSpec{
		Name: table, PartitionKey: "pk", SortKey: "sk", TTLAttribute: "expires",
	}); err != nil {
		t.Fatal(err)
	}
	// A second CreateTable is a no-op, so deploy scripts can rerun.
	if err := fixture.CreateTable(ctx, cfg, fixture.TableSpec{
		Name: table, PartitionKey: "pk", SortKey: "sk", TTLAttribute: "expires",
	}); err != nil {
		t.Fatalf("second CreateTable: %v", err)
	}
	db := dynamodb.NewFromConfig(cfg)
	put := func() error {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: &table,
			Item: map[string]ddbtypes.AttributeValue{
				"pk": &ddbtypes.AttributeValueMemberS{Value: "job-1"},
				"sk": &ddbtypes.AttributeValueMemberS{Value: "checkpoint"},
			},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		})
		return err
	}
	if err := put(); err != nil {
		t.Fatalf("first conditional put: %v", err)
	}
	err := put()
	var ccf *ddbtypes.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("second conditional put: err = %v (%T), want *types.ConditionalCheckFailedException", err, err)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(ttl.TimeToLiveDescription.AttributeName); got != "expires" {
		t.Errorf("TTL attribute = %q, want expires", got)
	}
}

// TransientError and PaymentError are named in the state machine's Retry and
// Catch: their Go type names are the Lambda error names.
type TransientError struct{}

func (*TransientError) Error() string { return "try again" }

type PaymentError struct{ Amount int }

func (e *PaymentError) Error() string { return fmt.Sprintf("amount %d declined", e.Amount) }

func TestLambdaInvokeRetryAndCatch(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)

	var calls atomic.Int32
	type seen struct {
		requestID, arn string
		deadline       bool
	}
	seenc := make(chan seen, 16)
	h := lambda.NewHandler(func(ctx context.Context, in struct{ Amount int }) (map[string]int, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		_, hasDeadline := ctx.Deadline()
		seenc <- seen{lc.AwsRequestID, lc.InvokedFunctionArn, hasDeadline}
		// Every other call fails transiently, so each execution retries once.
		if calls.Add(1)%2 == 1 {
			return nil, &TransientError{}
		}
		if in.Amount > 100 {
			return nil, &PaymentError{Amount: in.Amount}
		}
		return map[string]int{"charged": in.Amount}, nil
	})
	fnARN, registered := register(t, em, unique("charge"), h, 5*time.Second)
	if !registered {
		return
	}
	arn := deploy(t, cfg, "lambda_invoke.asl.json", map[string]string{"FunctionArn": fnARN})

	ok, err := fixture.RunExecution(ctx, cfg, arn, "small", `{"Amount":10}`)
	if err != nil {
		t.Fatal(err)
	}
	if ok.Status != "SUCCEEDED" {
		t.Fatalf("small charge: status %s (%s: %s)", ok.Status, ok.Error, ok.Cause)
	}
	assertJSON(t, `{"charged":10}`, ok.Output)

	declined, err := fixture.RunExecution(ctx, cfg, arn, "large", `{"Amount":500}`)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Amount  int
		Failure struct{ Error, Cause string }
	}
	if err := json.Unmarshal([]byte(declined.Output), &out); err != nil {
		t.Fatalf("declined output %q: %v", declined.Output, err)
	}
	if declined.Status != "SUCCEEDED" || out.Failure.Error != "PaymentError" {
		t.Fatalf("large charge: status %s output %s, want the PaymentError Catch", declined.Status, declined.Output)
	}
	var cause struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal([]byte(out.Failure.Cause), &cause); err != nil {
		t.Fatalf("cause %q is not Lambda's error document: %v", out.Failure.Cause, err)
	}
	if diff := cmp.Diff(struct{ ErrorMessage, ErrorType string }{"amount 500 declined", "PaymentError"}, cause); diff != "" {
		t.Errorf("cause (-want +got):\n%s", diff)
	}

	if got := calls.Load(); got != 4 {
		t.Errorf("handler calls = %d, want 4 (one retry per execution)", got)
	}
	close(seenc)
	ids := map[string]bool{}
	for s := range seenc {
		if s.arn != fnARN || !s.deadline || s.requestID == "" || ids[s.requestID] {
			t.Errorf("invocation context = %+v, want ARN %s, a deadline and a fresh request id", s, fnARN)
		}
		ids[s.requestID] = true
	}
}

func TestLambdaInvokeWaitForTaskToken(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)
	sfnc := sfn.NewFromConfig(cfg)
	name := unique("approve")
	h := lambda.NewHandler(func(ctx context.Context, in struct{ Token, ID string }) error {
		// A callback handler answers through Step Functions, not through
		// its return value.
		out, _ := json.Marshal(map[string]string{"approved": in.ID})
		_, err := sfnc.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &in.Token, Output: aws.String(string(out))})
		return err
	})
	if _, ok := register(t, em, name, h, 0); !ok {
		return
	}
	arn := deploy(t, cfg, "lambda_token.asl.json", map[string]string{"FunctionName": name})
	ex, err := fixture.RunExecution(ctx, cfg, arn, "", `{"id":"req-7"}`)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("status %s (%s: %s)", ex.Status, ex.Error, ex.Cause)
	}
	assertJSON(t, `{"approved":"req-7"}`, ex.Output)
}

type PanicValue struct{ Reason string }

func TestInvokeDirect(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	ctx := testContext(t)
	lc := awslambda.NewFromConfig(em.AWSConfig())

	tests := []struct {
		name        string
		handler     lambda.Handler
		timeout     time.Duration
		wantPayload string
		wantError   string // errorType; empty for success
	}{
		{
			name: "echo",
			handler: lambda.NewHandler(func(ctx context.Context, in map[string]string) (map[string]string, error) {
				lc, _ := lambdacontext.FromContext(ctx)
				in["arnSet"] = fmt.Sprint(lc.InvokedFunctionArn != "")
				return in, nil
			}),
			wantPayload: `{"arnSet":"true","hello":"world"}`,
		},
		{
			name: "typed-error",
			handler: lambda.NewHandler(func(context.Context) error {
				return fmt.Errorf("charge: %w", &PaymentError{Amount: 3})
			}),
			// aws-lambda-go names the outermost error, not the wrapped one.
			wantError: "wrapError",
		},
		{
			name: "panic",
			handler: lambda.NewHandler(func(context.Context) error {
				panic(PanicValue{Reason: "boom"})
			}),
			wantError: "PanicValue",
		},
		{
			name: "timeout",
			handler: lambda.NewHandler(func(ctx context.Context) error {
				<-ctx.Done()
				time.Sleep(100 * time.Millisecond)
				return nil
			}),
			timeout:   time.Second,
			wantError: "Sandbox.Timedout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := unique(tt.name)
			if _, ok := register(t, em, name, tt.handler, tt.timeout); !ok {
				return
			}
			out, err := lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: &name, Payload: []byte(`{"hello":"world"}`)})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantError == "" {
				if out.FunctionError != nil {
					t.Fatalf("FunctionError = %s, payload %s", *out.FunctionError, out.Payload)
				}
				if diff := cmp.Diff(tt.wantPayload, string(out.Payload)); diff != "" {
					t.Errorf("payload (-want +got):\n%s", diff)
				}
				return
			}
			if out.FunctionError == nil {
				t.Fatalf("no FunctionError, payload %s", out.Payload)
			}
			var doc struct{ ErrorType, ErrorMessage string }
			if err := json.Unmarshal(out.Payload, &doc); err != nil {
				t.Fatalf("payload %s: %v", out.Payload, err)
			}
			if doc.ErrorType != tt.wantError || doc.ErrorMessage == "" {
				t.Errorf("error document = %+v, want errorType %s with a message", doc, tt.wantError)
			}
		})
	}
}

func TestDeployUnknownSubstitution(t *testing.T) {
	t.Parallel()
	cfg, err := localstack.Config(t.Context(), localstack.WithEndpoint("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	// No emulator is needed: the names are checked before any call.
	_, err = fixture.DeployStateMachine(t.Context(), cfg, "x", filepath.Join("testdata", "unknown_names.asl.json"),
		map[string]string{"QueueUrl": "https://sqs/q", "Unused": "fine"})
	var se *fixture.SubstitutionError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *SubstitutionError", err)
	}
	if diff := cmp.Diff([]string{"GroupId", "TableName"}, se.Missing); diff != "" {
		t.Errorf("missing names (-want +got):\n%s", diff)
	}
	if se.Path == "" {
		t.Error("SubstitutionError.Path is empty, want the file")
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestUnreachableEndpoint(t *testing.T) {
	t.Parallel()
	endpoint := "http://" + closedPort(t)
	tests := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"WaitReady", func(ctx context.Context) error { return localstack.WaitReady(ctx, endpoint) }},
		{"Start", func(ctx context.Context) error {
			_, err := localstack.Start(ctx, localstack.WithEndpoint(endpoint))
			return err
		}},
		{"StartTimeout", func(context.Context) error {
			_, err := localstack.Start(t.Context(), localstack.WithEndpoint(endpoint),
				localstack.WithStartTimeout(500*time.Millisecond))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			defer cancel()
			err := tt.run(ctx)
			var nr *localstack.NotReadyError
			if !errors.As(err, &nr) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want *NotReadyError wrapping context.DeadlineExceeded", err)
			}
			if nr.Endpoint != endpoint {
				t.Errorf("NotReadyError.Endpoint = %q, want %q", nr.Endpoint, endpoint)
			}
		})
	}
}

// TestStartFailures covers launchers that cannot start: each must end in a
// *StartError within the start timeout, never a hang. Not parallel: it
// clears the endpoint variables so Start launches.
func TestStartFailures(t *testing.T) {
	python, err := execLookPython()
	if err != nil {
		t.Fatal(err)
	}
	script := func(body string) string {
		path := filepath.Join(t.TempDir(), "python")
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name            string
		python          string
		wantUnavailable bool // errors.Is(err, ErrUnavailable): Shared may skip
		wantDeadline    bool // errors.Is(err, context.DeadlineExceeded)
	}{
		{name: "no python", python: filepath.Join(t.TempDir(), "no-such-python"), wantUnavailable: true},
		// A Python that ignores site-packages cannot import moto, which is
		// how a machine without moto looks to the launcher.
		{name: "no moto", python: script("exec " + python + ` -I -S "$@"`), wantUnavailable: true},
		{name: "launcher crashes", python: script("echo 'Traceback: boom' >&2; exit 1")},
		{name: "launcher never ready", python: script("exec sleep 60"), wantDeadline: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", "")
			t.Setenv("LOCALSTACK_HOST", "")
			t.Setenv("LAMBDAKIT_PYTHON", tt.python)
			em, err := localstack.Start(t.Context(), localstack.WithStartTimeout(2*time.Second))
			if err == nil {
				em.Close()
				t.Fatal("Start succeeded, want a *StartError")
			}
			var se *localstack.StartError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want a *StartError", err, err)
			}
			if got := errors.Is(err, localstack.ErrUnavailable); got != tt.wantUnavailable {
				t.Errorf("errors.Is(err, ErrUnavailable) = %v, want %v; err: %v", got, tt.wantUnavailable, err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tt.wantDeadline {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = %v, want %v; err: %v", got, tt.wantDeadline, err)
			}
		})
	}
}

func TestAttachedEmulatorRejectsRegisterFunction(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	// A registered function once broke moto's /moto-api/data.json, the
	// readiness probe, so attach after registering one.
	register(t, em, unique("probe"), lambda.NewHandler(func() {}), 0)
	attached, err := localstack.Start(testContext(t), localstack.WithEndpoint(em.Endpoint()), localstack.WithStartTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer attached.Close()
	if attached.Embedded() {
		t.Error("an attached emulator reports Embedded")
	}
	_, err = attached.RegisterFunction(t.Context(), "f", lambda.NewHandler(func() {}), 0)
	if !errors.Is(err, localstack.ErrNotEmbedded) {
		t.Fatalf("err = %v, want ErrNotEmbedded", err)
	}
}

func TestLambdaFunctionARNResource(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	h := lambda.NewHandler(func(in struct{ N int }) (struct{ N int }, error) { return struct{ N int }{2 * in.N}, nil })
	fnARN, registered := register(t, em, unique("double"), h, 0)
	if !registered {
		return
	}
	arn := deploy(t, cfg, "lambda_arn_resource.asl.json", map[string]string{"FunctionArn": fnARN})
	ex, err := fixture.RunExecution(testContext(t), cfg, arn, "", `{"N":21}`)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("status %s (%s: %s)", ex.Status, ex.Error, ex.Cause)
	}
	assertJSON(t, `{"N":42}`, ex.Output)
}

func TestInvokeAsync(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	ctx := testContext(t)
	got := make(chan string, 1)
	name := unique("async")
	h := lambda.NewHandler(func(in struct{ ID string }) error {
		got <- in.ID
		return nil
	})
	if _, registered := register(t, em, name, h, 0); !registered {
		return
	}
	out, err := awslambda.NewFromConfig(em.AWSConfig()).Invoke(ctx, &awslambda.InvokeInput{
		FunctionName:   &name,
		InvocationType: "Event",
		Payload:        []byte(`{"ID":"evt-1"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 202 {
		t.Errorf("status = %d, want 202 for an Event invocation", out.StatusCode)
	}
	select {
	case id := <-got:
		if id != "evt-1" {
			t.Errorf("handler got %q, want evt-1", id)
		}
	case <-ctx.Done():
		t.Fatal("the handler never ran")
	}
}

// TestFIFORedeliveryKeepsOrder covers moto 5.2.1's FIFO bug that the
// launcher patches: when a batch of one group becomes visible again, its
// messages must come back in their original order.
func TestFIFORedeliveryKeepsOrder(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	ctx := testContext(t)
	q, err := fixture.CreateQueue(ctx, em.AWSConfig(), unique("ordered")+".fifo",
		fixture.WithQueueAttribute("ContentBasedDeduplication", "true"))
	if err != nil {
		t.Fatal(err)
	}
	sqsc := sqs.NewFromConfig(em.AWSConfig())
	want := []string{"A1", "A2", "A3"}
	for _, body := range want {
		if _, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.URL, MessageBody: aws.String(body), MessageGroupId: aws.String("A")}); err != nil {
			t.Fatal(err)
		}
	}
	// The first receive leaves the batch in flight for one second, the
	// shortest visibility timeout SQS has; the second long-polls until the
	// whole batch is visible again at once, as after a failed consumer.
	receive := func(wait int32) []string {
		t.Helper()
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &q.URL, MaxNumberOfMessages: 10, VisibilityTimeout: 1, WaitTimeSeconds: wait,
		})
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
		return bodies
	}
	if diff := cmp.Diff(want, receive(0)); diff != "" {
		t.Fatalf("first delivery (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, receive(5)); diff != "" {
		t.Errorf("redelivery (-want +got):\n%s", diff)
	}
}
