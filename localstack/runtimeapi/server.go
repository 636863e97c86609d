package runtimeapi

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/lambdakit/lambdakit/localstack/internal/proc"
)

// Runtime API headers (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	headerRequestID       = "Lambda-Runtime-Aws-Request-Id"
	headerDeadlineMs      = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID         = "Lambda-Runtime-Trace-Id"
	headerErrorType       = "Lambda-Runtime-Function-Error-Type"
	trailerErrorType      = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody      = "Lambda-Runtime-Function-Error-Body"
	runtimeAPIPathPrefix  = "/2018-06-01/runtime"
	errorTypeInvalidID    = "InvalidRequestID"
	errorTypeInvalidState = "InvalidStateTransition"
)

// process is one bootstrap process and its conversation with the Runtime API.
type process struct {
	cmd          *exec.Cmd
	stderr       *proc.Tail
	started      time.Time
	initDuration time.Duration // written before initDone is closed

	initOnce sync.Once
	initDone chan struct{}                       // closed at the first /next
	initErr  chan *messages.InvokeResponse_Error // the /init/error report
	next     chan *pendingInvoke                 // hands an invocation to a waiting /next
	exited   chan struct{}                       // closed when the process has exited
	waitErr  error                               // written before exited is closed

	mu      sync.Mutex
	current *pendingInvoke // the invocation handed out and not yet answered
}

// pendingInvoke is one invocation on its way through the Runtime API.
type pendingInvoke struct {
	id, arn, trace string
	payload        []byte
	deadline       time.Time
	delivered      time.Time // guarded by the process's mu
	result         chan invokeResult
}

type invokeResult struct {
	payload []byte
	err     error
	at      time.Time
}

// deliveredAt returns when /next handed inv to p, or zero if it did not.
func (p *process) deliveredAt(inv *pendingInvoke) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return inv.delivered
}

// current returns the process the Runtime API is talking to: the running one, or the one in its init phase.
func (r *Runtime) current() *process {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc != nil {
		return r.proc
	}
	return r.starting
}

func (r *Runtime) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+runtimeAPIPathPrefix+"/invocation/next", r.serveNext)
	mux.HandleFunc("POST "+runtimeAPIPathPrefix+"/invocation/{id}/response", r.serveResponse)
	mux.HandleFunc("POST "+runtimeAPIPathPrefix+"/invocation/{id}/error", r.serveError)
	mux.HandleFunc("POST "+runtimeAPIPathPrefix+"/init/error", r.serveInitError)
	return mux
}

// serveNext blocks until an invocation is available. The first call of a process ends its init phase.
func (r *Runtime) serveNext(w http.ResponseWriter, req *http.Request) {
	p := r.current()
	if p == nil {
		writeRuntimeError(w, http.StatusForbidden, errorTypeInvalidState, "no process is expected to call the Runtime API")
		return
	}
	p.initOnce.Do(func() {
		p.initDuration = time.Since(p.started)
		close(p.initDone)
	})
	select {
	case inv := <-p.next:
		p.mu.Lock()
		p.current = inv
		inv.delivered = time.Now()
		p.mu.Unlock()
		h := w.Header()
		h.Set(headerRequestID, inv.id)
		h.Set(headerDeadlineMs, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(headerFunctionARN, inv.arn)
		h.Set(headerTraceID, inv.trace)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-p.exited:
	case <-req.Context().Done():
	}
}

// take returns the current invocation of the process if its id is id, and clears it so that it is answered once.
func (r *Runtime) take(w http.ResponseWriter, req *http.Request) *pendingInvoke {
	id := req.PathValue("id")
	p := r.current()
	if p == nil {
		writeRuntimeError(w, http.StatusBadRequest, errorTypeInvalidID, "unknown request id "+id)
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current == nil || p.current.id != id {
		writeRuntimeError(w, http.StatusBadRequest, errorTypeInvalidID, "unknown request id "+id)
		return nil
	}
	inv := p.current
	p.current = nil
	return inv
}

func (r *Runtime) serveResponse(w http.ResponseWriter, req *http.Request) {
	inv := r.take(w, req)
	if inv == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxResponseSize+1))
	at := time.Now()
	switch {
	case err != nil:
		inv.result <- invokeResult{err: &InvokeError{RequestID: inv.id, Type: errorTypeExit, Message: "reading the response: " + err.Error()}, at: at}
	case len(body) > maxResponseSize:
		msg := "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
		inv.result <- invokeResult{err: &InvokeError{RequestID: inv.id, Type: errorTypeTooLarge, Message: msg}, at: at}
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, errorTypeTooLarge, msg)
		return
	case req.Trailer.Get(trailerErrorType) != "":
		// aws-lambda-go reports a response reader that failed mid-stream in trailers.
		e := messages.InvokeResponse_Error{Type: req.Trailer.Get(trailerErrorType)}
		if b, err := base64.StdEncoding.DecodeString(req.Trailer.Get(trailerErrorBody)); err == nil {
			_ = json.Unmarshal(b, &e)
		}
		inv.result <- invokeResult{err: &InvokeError{RequestID: inv.id, Type: e.Type, Message: e.Message, StackTrace: e.StackTrace}, at: at}
	default:
		inv.result <- invokeResult{payload: body, at: at}
	}
	writeAccepted(w)
}

func (r *Runtime) serveError(w http.ResponseWriter, req *http.Request) {
	inv := r.take(w, req)
	if inv == nil {
		return
	}
	e := readErrorBody(req)
	inv.result <- invokeResult{err: &InvokeError{RequestID: inv.id, Type: e.Type, Message: e.Message, StackTrace: e.StackTrace}, at: time.Now()}
	writeAccepted(w)
}

func (r *Runtime) serveInitError(w http.ResponseWriter, req *http.Request) {
	p := r.current()
	if p == nil {
		writeRuntimeError(w, http.StatusForbidden, errorTypeInvalidState, "no process is in its init phase")
		return
	}
	select {
	case <-p.initDone:
		writeRuntimeError(w, http.StatusForbidden, errorTypeInvalidState, "init has already finished")
		return
	default:
	}
	e := readErrorBody(req)
	select {
	case p.initErr <- &e:
	default:
	}
	writeAccepted(w)
}

// readErrorBody reads an error document; the Lambda-Runtime-Function-Error-Type header stands in for a missing or
// unreadable errorType, as Lambda does.
func readErrorBody(req *http.Request) messages.InvokeResponse_Error {
	var e messages.InvokeResponse_Error
	body, _ := io.ReadAll(io.LimitReader(req.Body, maxResponseSize))
	if err := json.Unmarshal(body, &e); err != nil {
		e.Message = string(body)
	}
	if e.Type == "" {
		e.Type = req.Header.Get(headerErrorType)
	}
	if e.Type == "" {
		e.Type = "Unhandled"
	}
	return e
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeRuntimeError(w http.ResponseWriter, status int, errorType, message string) {
	b, _ := json.Marshal(messages.InvokeResponse_Error{Type: errorType, Message: message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
