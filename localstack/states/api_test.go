package states

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkClient serves e over HTTP and returns the AWS SDK's client for it.
func sdkClient(t *testing.T, e *Engine) *sfn.Client {
	t.Helper()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return sfn.New(sfn.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		// StartSyncExecution's sync- host prefix does not resolve locally.
		APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
				}), middleware.Before)
		}},
	})
}

// TestSDKDrivesEngine drives the engine through the AWS SDK over HTTP: the
// wire format (member names, timestamps, errors) is what the SDK expects.
func TestSDKDrivesEngine(t *testing.T) {
	e := New(WithVirtualTime(start), WithTaskRunner(echo))
	defer e.Close()
	client := sdkClient(t, e)
	ctx := t.Context()

	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("orders"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"Next":"W"},"W":{"Type":"Wait","Seconds":3600,"End":true}}}`),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	if sm.CreationDate == nil || !sm.CreationDate.Equal(start) {
		t.Errorf("CreationDate %v, want %v", sm.CreationDate, start)
	}
	x, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"id":1}`)})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	token := waitToken(t, e, aws.ToString(x.ExecutionArn))
	if _, err := client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); err != nil {
		t.Fatalf("SendTaskHeartbeat: %v", err)
	}
	if _, err := client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"ok":true}`)}); err != nil {
		t.Fatalf("SendTaskSuccess: %v", err)
	}
	var d *sfn.DescribeExecutionOutput
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if d, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn}); err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			break
		}
	}
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"ok":true}` || !d.StopDate.Equal(start.Add(time.Hour)) {
		t.Errorf("DescribeExecution: %s %s stopped %v", d.Status, aws.ToString(d.Output), d.StopDate)
	}
	h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: x.ExecutionArn, ReverseOrder: true, MaxResults: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 2 || h.Events[0].Type != types.HistoryEventTypeExecutionSucceeded || h.NextToken == nil {
		t.Errorf("reverse page of 2: %+v next %v", eventTypes(h.Events), h.NextToken)
	}
	if got := aws.ToString(h.Events[0].ExecutionSucceededEventDetails.Output); got != `{"ok":true}` {
		t.Errorf("ExecutionSucceeded output %q", got)
	}

	// Errors arrive as the SDK's types.
	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(aws.ToString(x.ExecutionArn) + "-nope")})
	if !errors.As(err, new(*types.ExecutionDoesNotExist)) {
		t.Errorf("DescribeExecution of an unknown execution: %v", err)
	}
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	if !errors.As(err, new(*types.TaskTimedOut)) {
		t.Errorf("SendTaskSuccess twice: %v", err)
	}
	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), Definition: aws.String(`{"StartAt":"A","States":{}}`)})
	if !errors.As(err, new(*types.InvalidDefinition)) {
		t.Errorf("CreateStateMachine with no states: %v", err)
	}
	v, err := client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(v.Diagnostics) != 1 || aws.ToString(v.Diagnostics[0].Code) != "MISSING_END_STATE" || v.Diagnostics[0].Location != nil {
		t.Errorf("ValidateStateMachineDefinition of a loop: %+v", v)
	}
}

// TestStartSyncExecution runs an Express workflow synchronously through the
// SDK: the outcome comes back in the response; a Standard state machine is
// StateMachineTypeNotSupported.
func TestStartSyncExecution(t *testing.T) {
	e := New(WithVirtualTime(start), WithTaskRunner(echo))
	defer e.Close()
	client := sdkClient(t, e)
	ctx := t.Context()
	create := func(name string, typ types.StateMachineType, def string) *string {
		t.Helper()
		sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Type: typ,
			RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), Definition: aws.String(def)})
		if err != nil {
			t.Fatal(err)
		}
		return sm.StateMachineArn
	}
	express := create("express", types.StateMachineTypeExpress, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"C"},"C":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"S"}],"Default":"F"},"S":{"Type":"Pass","Result":"done","End":true},"F":{"Type":"Fail","Error":"NotOK","Cause":"not ok"}}}`)
	for _, tc := range []struct {
		input, status, output, err string
	}{
		{`{"ok":true}`, "SUCCEEDED", `"done"`, ""},
		{`{"ok":false}`, "FAILED", "", "NotOK"},
	} {
		out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: express, Input: aws.String(tc.input)})
		if err != nil {
			t.Fatalf("StartSyncExecution: %v", err)
		}
		if string(out.Status) != tc.status || aws.ToString(out.Output) != tc.output || aws.ToString(out.Error) != tc.err {
			t.Errorf("status %s output %q error %q, want %s %q %q", out.Status, aws.ToString(out.Output), aws.ToString(out.Error), tc.status, tc.output, tc.err)
		}
		if out.StopDate == nil || out.StopDate.Sub(*out.StartDate) != time.Minute || out.BillingDetails == nil {
			t.Errorf("dates %v..%v billing %v, want a minute of virtual time", out.StartDate, out.StopDate, out.BillingDetails)
		}
	}
	standard := create("standard", types.StateMachineTypeStandard, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	_, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: standard})
	var notSupported *types.StateMachineTypeNotSupported
	if !errors.As(err, &notSupported) {
		t.Errorf("StartSyncExecution on STANDARD: %v, want StateMachineTypeNotSupported", err)
	}
}
