package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// targetPrefix starts the X-Amz-Target header of every Step Functions call
// (AWS JSON 1.0 protocol).
const targetPrefix = "AWSStepFunctions."

// IsRequest reports whether r is a Step Functions API call, so that a front
// server can route it to [Engine.ServeHTTP] and the rest elsewhere.
func IsRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
}

// operations maps each supported action to its call on the engine.
func (e *Engine) operations() map[string]func(context.Context, []byte) (any, error) {
	return map[string]func(context.Context, []byte) (any, error){
		"CreateStateMachine":             op(e.CreateStateMachine),
		"DescribeStateMachine":           op(e.DescribeStateMachine),
		"UpdateStateMachine":             op(e.UpdateStateMachine),
		"DeleteStateMachine":             op(e.DeleteStateMachine),
		"ListStateMachines":              op(e.ListStateMachines),
		"ValidateStateMachineDefinition": op(e.ValidateStateMachineDefinition),
		"StartExecution":                 op(e.StartExecution),
		"StartSyncExecution":             op(e.StartSyncExecution),
		"DescribeExecution":              op(e.DescribeExecution),
		"StopExecution":                  op(e.StopExecution),
		"ListExecutions":                 op(e.ListExecutions),
		"GetExecutionHistory":            op(e.GetExecutionHistory),
		"SendTaskSuccess":                op(e.SendTaskSuccess),
		"SendTaskFailure":                op(e.SendTaskFailure),
		"SendTaskHeartbeat":              op(e.SendTaskHeartbeat),
	}
}

// op adapts an SDK-shaped method to a call on a JSON request body. The body
// decodes into the SDK's input struct: encoding/json matches the protocol's
// lowerCamel member names to the struct's field names case-insensitively.
func op[In, Out any](fn func(context.Context, *In, ...func(*sfn.Options)) (*Out, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(body) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				return nil, &types.ValidationException{Message: strPtr("Invalid request: " + err.Error())}
			}
		}
		return fn(ctx, in)
	}
}

func strPtr(s string) *string { return &s }

// ServeHTTP answers Step Functions API calls in the AWS JSON 1.0 protocol,
// so that the AWS SDKs, the AWS CLI and boto3 drive the engine unchanged.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	e.opsOnce.Do(func() { e.ops = e.operations() })
	call, ok := e.ops[action]
	if !ok {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "The test bed's Step Functions engine does not support "+action)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	out, err := call(r.Context(), body)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			writeError(w, http.StatusBadRequest, ae.ErrorCode(), ae.ErrorMessage())
			return
		}
		writeError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
		return
	}
	data, err := json.Marshal(wire(reflect.ValueOf(out)))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_, _ = w.Write(data)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	data, _ := json.Marshal(map[string]string{"__type": code, "message": message})
	_, _ = w.Write(data)
}

var timeType = reflect.TypeOf(time.Time{})

// wire converts an SDK output value to its AWS JSON 1.0 form: members in
// lowerCamel case, timestamps as epoch seconds, nil and zero-valued
// optional members left out, the SDK's unexported bookkeeping dropped.
func wire(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return wire(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			return json.Number(fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000))
		}
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			fv := v.Field(i)
			if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map || fv.Kind() == reflect.Interface) && fv.IsNil() {
				continue
			}
			if fv.Kind() == reflect.String && fv.Len() == 0 {
				continue
			}
			out[lowerFirst(f.Name)] = wire(fv)
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = wire(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = wire(v.MapIndex(k))
		}
		return out
	}
	return v.Interface()
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
