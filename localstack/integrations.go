package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/lambdakit/lambdakit/localstack/internal/invoke"
	"github.com/lambdakit/lambdakit/localstack/states"
)

// taskRunner runs the Task states of the engine's state machines: Lambda
// functions registered with [Emulator.RegisterFunction] in this process,
// SQS, DynamoDB and SNS in the emulator (moto), and Step Functions itself
// (states:startExecution and aws-sdk:sfn:*) in the engine.
type taskRunner struct {
	e *Emulator
}

func (r *taskRunner) RunTask(ctx context.Context, t *states.Task) (any, error) {
	switch {
	case t.Service == "lambda" && (t.Action == "" || t.Action == "invoke"):
		return r.lambda(ctx, t)
	case t.Service == "sqs" || t.Service == "dynamodb":
		return r.passthrough(ctx, t, t.Service, t.Action, true)
	case strings.HasPrefix(t.Service, "aws-sdk") && (t.Action != ""):
		return r.awsSDK(ctx, t)
	case t.Service == "states" && t.Action == "startExecution":
		return r.startExecution(ctx, t)
	case t.Service == "sns" && t.Action == "publish":
		return r.snsPublish(ctx, t)
	case t.Service == "s3":
		return r.s3Task(ctx, t)
	}
	return nil, (&states.Failure{Error: "States.Runtime", Cause: fmt.Sprintf(
		"The test bed's Step Functions engine does not support the resource %s; it runs lambda:invoke, Lambda function ARNs, "+
			"sqs, dynamodb, sns:publish, states:startExecution, s3 (a Distributed Map's ItemReader and ResultWriter) and aws-sdk:{sqs,dynamodb,sfn,s3}", t.Resource)}).AsError()
}

// lambda invokes a registered Go handler, as the lambda:invoke integration
// (with its result wrapped in Payload, StatusCode and the SDK metadata) or as
// a bare function ARN (the result as it is).
func (r *taskRunner) lambda(ctx context.Context, t *states.Task) (any, error) {
	name, payload := t.Resource, t.Input
	if t.Action == "invoke" {
		params, _ := t.Input.(map[string]any)
		name, _ = params["FunctionName"].(string)
		payload = params["Payload"]
		if typ, _ := params["InvocationType"].(string); typ == "Event" {
			return r.invokeAsync(name, payload, t)
		}
	}
	f, fnARN, err := r.function(name, t.Region)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(payload)
	if payload == nil && t.Action == "invoke" {
		body = []byte("{}")
	}
	requestID := invoke.NewRequestID()
	out, err := invoke.Call(ctx, f.handler, invoke.Request{RequestID: requestID, FunctionARN: fnARN, Timeout: f.timeout, Payload: body})
	if err != nil {
		doc := invoke.Document(err)
		cause, _ := json.Marshal(map[string]any{"errorMessage": doc.Message, "errorType": doc.Type})
		return nil, (&states.Failure{Error: doc.Type, Cause: string(cause)}).AsError()
	}
	var result any = nil
	if len(bytes.TrimSpace(out)) > 0 {
		if err := json.Unmarshal(out, &result); err != nil {
			result = string(out)
		} else {
			result = decodeNumbers(out, result)
		}
	}
	if t.Action == "" {
		return result, nil
	}
	return withMetadata(map[string]any{"ExecutedVersion": "$LATEST", "Payload": result, "StatusCode": json.Number("200")}, requestID, "application/json"), nil
}

func (r *taskRunner) invokeAsync(name string, payload any, t *states.Task) (any, error) {
	f, fnARN, err := r.function(name, t.Region)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(payload)
	requestID := invoke.NewRequestID()
	go func() {
		_, _ = invoke.Call(context.Background(), f.handler, invoke.Request{RequestID: requestID, FunctionARN: fnARN, Timeout: f.timeout, Payload: body})
	}()
	return withMetadata(map[string]any{"Payload": "", "StatusCode": json.Number("202")}, requestID, "application/json"), nil
}

// function finds a registered function by name, ARN or partial ARN,
// with or without a qualifier.
func (r *taskRunner) function(ref, region string) (registeredFunction, string, error) {
	name := ref
	if a, err := arn.Parse(ref); err == nil {
		name = strings.TrimPrefix(a.Resource, "function:")
	} else if strings.Contains(ref, ":function:") {
		name = ref[strings.Index(ref, ":function:")+len(":function:"):]
	}
	name, _, _ = strings.Cut(name, ":")
	if r.e.host != nil {
		r.e.host.mu.RLock()
		f, ok := r.e.host.fns[name]
		r.e.host.mu.RUnlock()
		if ok {
			return f, f.arn, nil
		}
	}
	fnARN := fmt.Sprintf("arn:aws:lambda:%s:123456789012:function:%s:$LATEST", region, name)
	return registeredFunction{}, "", (&states.Failure{Error: "Lambda.ResourceNotFoundException", Cause: fmt.Sprintf(
		"Function not found: %s (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: %s; Proxy: null)",
		fnARN, invoke.NewRequestID())}).AsError()
}

// services says, per integration, the JSON protocol target prefix and how
// AWS names its errors: the optimized integrations with the v1 SDK's names
// ("SQS.AmazonSQSException", "(Service: AmazonSQS; Status Code: 400; ...)"),
// aws-sdk integrations with the v2 SDK's ("DynamoDb.ResourceNotFoundException").
var services = map[string]struct {
	target, errPrefix, serviceName, generic string
	known                                   []string
}{
	"sqs": {target: "AmazonSQS.", errPrefix: "SQS.", serviceName: "AmazonSQS", generic: "AmazonSQSException"},
	"dynamodb": {target: "DynamoDB_20120810.", errPrefix: "DynamoDB.", serviceName: "AmazonDynamoDBv2", generic: "AmazonDynamoDBException",
		known: []string{"ResourceNotFoundException", "ConditionalCheckFailedException", "ProvisionedThroughputExceededException", "TransactionCanceledException", "ItemCollectionSizeLimitExceededException"}},
}

// passthrough sends an integration's parameters to the emulator in the
// service's own JSON protocol: Step Functions' parameter names are the
// service's member names, so the body is the parameters as they are.
func (r *taskRunner) passthrough(ctx context.Context, t *states.Task, service, action string, optimized bool) (any, error) {
	svc, ok := services[service]
	if !ok {
		return nil, (&states.Failure{Error: "States.Runtime", Cause: "The test bed does not support the service " + service}).AsError()
	}
	input := t.Input
	if params, ok := input.(map[string]any); ok && service == "sqs" && optimized {
		// The optimized SQS integration sends a MessageBody that is not a
		// string as its JSON text.
		if b, ok := params["MessageBody"]; ok {
			if _, isStr := b.(string); !isStr {
				copied := make(map[string]any, len(params))
				for k, v := range params {
					copied[k] = v
				}
				text, _ := json.Marshal(b)
				copied["MessageBody"] = string(text)
				input = copied
			}
		}
	}
	body, _ := json.Marshal(input)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.e.motoURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", svc.target+upperFirst(action))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/"+t.Region+"/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	requestID := resp.Header.Get("X-Amzn-Requestid")
	if requestID == "" {
		requestID = invoke.NewRequestID()
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg2    string `json:"Message"`
		}
		_ = json.Unmarshal(data, &e)
		code := e.Type[strings.LastIndex(e.Type, "#")+1:]
		code = strings.TrimPrefix(code, "AWS.SimpleQueueService.")
		if q := resp.Header.Get("X-Amzn-Query-Error"); q != "" {
			code, _, _ = strings.Cut(q, ";")
			code = strings.TrimPrefix(code, "AWS.SimpleQueueService.")
		}
		msg := e.Message + e.Msg2
		if !optimized {
			return nil, (&states.Failure{Error: sdkServiceName(service) + "." + exceptionName(code), Cause: fmt.Sprintf(
				"%s (Service: %s, Status Code: %d, Request ID: %s)", msg, sdkServiceName(service), resp.StatusCode, requestID)}).AsError()
		}
		name := svc.generic
		for _, k := range svc.known {
			if k == code {
				name = code
			}
		}
		return nil, (&states.Failure{Error: svc.errPrefix + name, Cause: fmt.Sprintf(
			"%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)", msg, svc.serviceName, resp.StatusCode, code, requestID)}).AsError()
	}
	var result any = map[string]any{}
	if len(bytes.TrimSpace(data)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&result); err != nil {
			return nil, err
		}
	}
	if m, ok := result.(map[string]any); ok && optimized {
		return withMetadata(m, requestID, "application/x-amz-json-1.0"), nil
	}
	return result, nil
}

// awsSDK runs an aws-sdk:<service>:<action> integration.
func (r *taskRunner) awsSDK(ctx context.Context, t *states.Task) (any, error) {
	// arn:aws:states:::aws-sdk:sqs:sendMessage arrives as Service "aws-sdk"
	// and Action "sqs:sendMessage".
	service, action, _ := strings.Cut(t.Action, ":")
	t.Action = action
	switch service {
	case "sqs", "dynamodb":
		return r.passthrough(ctx, t, service, t.Action, false)
	case "sfn":
		return r.sfnSDK(ctx, t)
	case "s3":
		return r.s3Task(ctx, t)
	}
	return nil, (&states.Failure{Error: "States.Runtime", Cause: "The test bed's Step Functions engine does not support the aws-sdk service " + service + " (resource " + t.Resource + ")"}).AsError()
}

// sfnSDK runs aws-sdk:sfn:<action> on the engine itself, so that a state
// machine can answer another's task token.
func (r *taskRunner) sfnSDK(ctx context.Context, t *states.Task) (any, error) {
	body, _ := json.Marshal(t.Input)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+upperFirst(t.Action))
	rec := httptest.NewRecorder()
	r.e.engine.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		return nil, (&states.Failure{Error: "Sfn." + exceptionName(e.Type), Cause: fmt.Sprintf("%s (Service: Sfn, Status Code: %d, Request ID: %s)", e.Message, rec.Code, invoke.NewRequestID())}).AsError()
	}
	var out map[string]any
	dec := json.NewDecoder(rec.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return pascal(out), nil
}

// startExecution runs states:startExecution: plainly (the new execution's
// ARN and start date), .sync (its description once it ends, Output as a
// string) or .sync:2 (Output as JSON).
func (r *taskRunner) startExecution(ctx context.Context, t *states.Task) (any, error) {
	params, _ := t.Input.(map[string]any)
	in := &sfn.StartExecutionInput{}
	in.StateMachineArn = aws.String(str(params["StateMachineArn"]))
	if n := str(params["Name"]); n != "" {
		in.Name = aws.String(n)
	}
	switch v := params["Input"].(type) {
	case nil:
	case string:
		in.Input = aws.String(v)
	default:
		b, _ := json.Marshal(v)
		in.Input = aws.String(string(b))
	}
	out, err := r.e.engine.StartExecution(ctx, in)
	if err != nil {
		code, msg := "StepFunctionsException", err.Error()
		var ae smithy.APIError
		if errors.As(err, &ae) {
			code, msg = exceptionName(ae.ErrorCode()), ae.ErrorMessage()
		}
		return nil, (&states.Failure{Error: "StepFunctions." + code, Cause: fmt.Sprintf(
			"%s (Service: AWSStepFunctions; Status Code: 400; Error Code: %s; Request ID: %s; Proxy: null)", msg, strings.TrimSuffix(code, "Exception"), invoke.NewRequestID())}).AsError()
	}
	if t.Pattern == "" || t.Pattern == "waitForTaskToken" {
		return withMetadata(map[string]any{"ExecutionArn": aws.ToString(out.ExecutionArn), "StartDate": epoch(*out.StartDate)}, invoke.NewRequestID(), "application/x-amz-json-1.0"), nil
	}
	var d *sfn.DescribeExecutionOutput
	for {
		d, err = r.e.engine.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
		if err != nil {
			return nil, err
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			break
		}
		select {
		case <-ctx.Done():
			_, _ = r.e.engine.StopExecution(context.Background(), &sfn.StopExecutionInput{ExecutionArn: out.ExecutionArn})
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	result := map[string]any{
		"ExecutionArn": aws.ToString(d.ExecutionArn), "StateMachineArn": aws.ToString(d.StateMachineArn), "Name": aws.ToString(d.Name),
		"Status": string(d.Status), "StartDate": epoch(*d.StartDate), "StopDate": epoch(*d.StopDate),
		"Input": aws.ToString(d.Input), "InputDetails": map[string]any{"Included": true},
	}
	if t.Pattern == "sync:2" {
		var in any
		_ = json.Unmarshal([]byte(aws.ToString(d.Input)), &in)
		result["Input"] = decodeNumbers([]byte(aws.ToString(d.Input)), in)
	}
	if d.Output != nil {
		result["Output"] = aws.ToString(d.Output)
		if t.Pattern == "sync:2" {
			var o any
			_ = json.Unmarshal([]byte(*d.Output), &o)
			result["Output"] = decodeNumbers([]byte(*d.Output), o)
		}
		result["OutputDetails"] = map[string]any{"Included": true}
	}
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		if d.Error != nil {
			result["Error"] = aws.ToString(d.Error)
		}
		if d.Cause != nil {
			result["Cause"] = aws.ToString(d.Cause)
		}
		b, _ := json.Marshal(result)
		return nil, (&states.Failure{Error: "States.TaskFailed", Cause: string(b)}).AsError()
	}
	return result, nil
}

// withMetadata adds what AWS adds to an optimized integration's result.
func withMetadata(m map[string]any, requestID, contentType string) map[string]any {
	m["SdkHttpMetadata"] = map[string]any{
		"AllHttpHeaders": map[string]any{"x-amzn-RequestId": []any{requestID}, "Content-Type": []any{contentType}},
		"HttpHeaders":    map[string]any{"x-amzn-RequestId": requestID, "Content-Type": contentType},
		"HttpStatusCode": json.Number("200"),
	}
	m["SdkResponseMetadata"] = map[string]any{"RequestId": requestID}
	return m
}

func epoch(t time.Time) json.Number { return json.Number(fmt.Sprint(t.UnixMilli())) }

func str(v any) string { s, _ := v.(string); return s }

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// pascal turns the JSON protocol's lowerCamel member names into the
// PascalCase that Step Functions' aws-sdk integrations return.
func pascal(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[upperFirst(k)] = pascal(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = pascal(e)
		}
		return x
	}
	return v
}

// exceptionName is an error code as an SDK exception name: ResourceNotFound
// stays ResourceNotFoundException, MissingParameter becomes
// MissingParameterException.
func exceptionName(code string) string {
	code = code[strings.LastIndex(code, "#")+1:]
	if strings.HasSuffix(code, "Exception") {
		return code
	}
	return code + "Exception"
}

// sdkServiceName is the v2 SDK's service name in aws-sdk error names.
func sdkServiceName(service string) string {
	switch service {
	case "dynamodb":
		return "DynamoDb"
	case "sqs":
		return "Sqs"
	}
	return upperFirst(service)
}

// decodeNumbers decodes data again keeping numbers as json.Number; v is
// the plain decode, returned when that fails.
func decodeNumbers(data []byte, v any) any {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return v
	}
	return out
}

// snsPublish runs sns:publish against the emulator: SNS speaks the query
// protocol, so the parameters go through the SDK's PublishInput.
func (r *taskRunner) snsPublish(ctx context.Context, t *states.Task) (any, error) {
	body, _ := json.Marshal(t.Input)
	in := &sns.PublishInput{}
	if err := json.Unmarshal(body, in); err != nil {
		return nil, (&states.Failure{Error: "SNS.InvalidParameterException", Cause: err.Error()}).AsError()
	}
	out, err := sns.NewFromConfig(r.e.cfg).Publish(ctx, in)
	if err != nil {
		code, msg := "AmazonSNSException", err.Error()
		var ae smithy.APIError
		if errors.As(err, &ae) {
			msg = ae.ErrorMessage()
			code = ae.ErrorCode()
		}
		return nil, (&states.Failure{Error: "SNS." + exceptionName(code), Cause: fmt.Sprintf(
			"%s (Service: AmazonSNS; Status Code: 400; Error Code: %s; Request ID: %s; Proxy: null)", msg, code, invoke.NewRequestID())}).AsError()
	}
	return withMetadata(map[string]any{"MessageId": aws.ToString(out.MessageId)}, invoke.NewRequestID(), "text/xml"), nil
}
