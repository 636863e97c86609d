package localstack

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdakit/lambdakit/localstack/internal/invoke"
)

// functionAPI is the part of the Lambda client RegisterFunction uses.
type functionAPI interface {
	CreateFunction(ctx context.Context, params *awslambda.CreateFunctionInput, optFns ...func(*awslambda.Options)) (*awslambda.CreateFunctionOutput, error)
	UpdateFunctionConfiguration(ctx context.Context, params *awslambda.UpdateFunctionConfigurationInput, optFns ...func(*awslambda.Options)) (*awslambda.UpdateFunctionConfigurationOutput, error)
}

var _ functionAPI = (*awslambda.Client)(nil)

// functionRole is the placeholder role of registered functions; moto checks
// only that it exists.
const functionRole = "arn:aws:iam::123456789012:role/lambdakit-function"

// RegisterFunction makes the Go handler h the code of the Lambda function
// name in the embedded emulator and returns the function's ARN. From then on
// a state machine's arn:aws:states:::lambda:invoke task (with or without
// .waitForTaskToken) and a Lambda Invoke call on that function run h in this
// process: its ctx has a deadline of the function timeout and a lambdacontext
// with a request id and the function ARN, and a returned error reaches the
// caller as a Lambda function error whose errorType is the error's Go type
// name (see aws-lambda-go), so Retry and Catch on that name work. A panic is
// reported the same way, and a handler past its deadline as Sandbox.Timedout.
// Calls may run concurrently.
//
// timeout is the function timeout, the deadline of each invocation's ctx;
// 0 means Lambda's default of 3 s. The emulator stores it in whole seconds,
// rounded up, as Lambda does. Registering a name again replaces the handler
// and updates the timeout.
// RegisterFunction needs the embedded emulator: on an attached endpoint it
// returns [ErrNotEmbedded], because a real LocalStack cannot call back into
// the test process.
func (e *Emulator) RegisterFunction(ctx context.Context, name string, h lambda.Handler, timeout time.Duration) (string, error) {
	if e.host == nil {
		return "", fmt.Errorf("register function %q: %w", name, ErrNotEmbedded)
	}
	if h == nil {
		return "", fmt.Errorf("localstack: register function %q: nil handler", name)
	}
	if timeout <= 0 {
		timeout = invoke.DefaultTimeout
	}
	seconds := int32(math.Ceil(timeout.Seconds()))
	if seconds < 1 {
		seconds = 1
	}
	if err := e.ensureFunctionRole(ctx); err != nil {
		return "", err
	}
	arn, err := createFunction(ctx, awslambda.NewFromConfig(e.cfg), name, seconds)
	if err != nil {
		return "", err
	}
	e.host.register(name, registeredFunction{
		handler: h,
		arn:     arn,
		timeout: time.Duration(seconds) * time.Second,
	})
	return arn, nil
}

func createFunction(ctx context.Context, api functionAPI, name string, timeoutSeconds int32) (string, error) {
	out, err := api.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      lambdatypes.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String(functionRole),
		Code:         &lambdatypes.FunctionCode{ZipFile: placeholderZip()},
		Timeout:      aws.Int32(timeoutSeconds),
	})
	if err == nil {
		return aws.ToString(out.FunctionArn), nil
	}
	var conflict *lambdatypes.ResourceConflictException
	if !errors.As(err, &conflict) {
		return "", fmt.Errorf("localstack: create function %q: %w", name, err)
	}
	upd, err := api.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name),
		Timeout:      aws.Int32(timeoutSeconds),
	})
	if err != nil {
		return "", fmt.Errorf("localstack: update function %q: %w", name, err)
	}
	return aws.ToString(upd.FunctionArn), nil
}

// placeholderZip is the deployment package moto stores for a registered
// function; it is never run, since invocations are forwarded to Go.
func placeholderZip() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("bootstrap")
	_, _ = io.WriteString(w, "#!/bin/sh\necho 'lambdakit: this function runs in the Go test process' >&2\nexit 1\n")
	_ = zw.Close()
	return buf.Bytes()
}

// functionHost serves the launcher's forwarded Lambda invocations on a
// loopback port, routing by function name to the registered handlers.
type functionHost struct {
	ln  net.Listener
	srv *http.Server

	mu  sync.RWMutex
	fns map[string]registeredFunction
}

type registeredFunction struct {
	handler lambda.Handler
	arn     string
	timeout time.Duration
}

// Headers of the protocol between the launcher's forwarder and the host.
const (
	hdrRequestID     = "X-Lambdakit-Request-Id"
	hdrFunctionARN   = "X-Lambdakit-Function-Arn"
	hdrTimeout       = "X-Lambdakit-Timeout-Seconds"
	hdrFunctionError = "X-Lambdakit-Function-Error"
)

func startFunctionHost() (*functionHost, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("function host: %w", err)
	}
	h := &functionHost{ln: ln, fns: make(map[string]registeredFunction)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /invoke/{name}", h.serveInvoke)
	h.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

func (h *functionHost) url() string { return "http://" + h.ln.Addr().String() }

func (h *functionHost) register(name string, f registeredFunction) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fns[name] = f
}

func (h *functionHost) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.fns)
}

func (h *functionHost) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	// Handlers that outlive their deadline would hold Shutdown forever;
	// after a grace period the connections are simply closed.
	if err := h.srv.Shutdown(ctx); err != nil {
		_ = h.srv.Close()
	}
}

func (h *functionHost) serveInvoke(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	h.mu.RLock()
	f, ok := h.fns[name]
	h.mu.RUnlock()
	if !ok {
		writeFunctionError(w, "Lambdakit.FunctionNotRegistered", fmt.Sprintf(
			"function %q exists in the emulator but no Go handler is registered for it (Emulator.RegisterFunction)", name))
		return
	}
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := invoke.Request{
		RequestID:   r.Header.Get(hdrRequestID),
		FunctionARN: r.Header.Get(hdrFunctionARN),
		Timeout:     f.timeout,
		Payload:     payload,
	}
	if req.FunctionARN == "" {
		req.FunctionARN = f.arn
	}
	// The emulator's configuration wins, so UpdateFunctionConfiguration
	// behaves as it does on Lambda.
	if s, err := strconv.Atoi(r.Header.Get(hdrTimeout)); err == nil && s > 0 {
		req.Timeout = time.Duration(s) * time.Second
	}
	out, err := invoke.Call(r.Context(), f.handler, req)
	if err != nil {
		body, _ := json.Marshal(invoke.Document(err))
		w.Header().Set(hdrFunctionError, "Unhandled")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return
	}
	if len(out) == 0 {
		// Step Functions parses the payload as JSON; a handler that
		// returns nothing yields null, as aws-lambda-go's typed handlers do.
		out = []byte("null")
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func writeFunctionError(w http.ResponseWriter, errorType, message string) {
	body, _ := json.Marshal(map[string]string{"errorType": errorType, "errorMessage": message})
	w.Header().Set(hdrFunctionError, "Unhandled")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
