package callback

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/handler/handlertest"
)

func TestFindToken(t *testing.T) {
	tests := []struct {
		name       string
		payload    string
		opts       []Option
		want       string
		wantReason string // substring; "" for none
	}{
		{name: "TaskToken", payload: `{"id":"o-1","TaskToken":"t1"}`, want: "t1"},
		{name: "taskToken", payload: `{"taskToken":"t2","id":"o-1"}`, want: "t2"},
		{name: "task_token", payload: `{"task_token":"t3"}`, want: "t3"},
		{name: "default order wins over payload order", payload: `{"task_token":"t3","TaskToken":"t1"}`, want: "t1"},
		{name: "bare token is not a default", payload: `{"token":"auth-secret"}`, want: ""},
		{name: "escaped string", payload: `{"TaskToken":"a\/b\u0041"}`, want: "a/bA"},
		{name: "configured field", payload: `{"cb":"t4","TaskToken":"t1"}`, opts: []Option{WithTokenField("cb")}, want: "t4"},
		{
			name: "configured path", payload: `{"a":{"x":[1,{"y":2}],"meta":{"token":"t5"}},"meta":{"token":"no"}}`,
			opts: []Option{WithTokenField("a", "meta", "token")}, want: "t5",
		},
		{name: "path through a non-object", payload: `{"a":[1]}`, opts: []Option{WithTokenField("a", "b")}, want: ""},
		{name: "several fields in order", payload: `{"second":"t7"}`, opts: []Option{WithTokenField("first"), WithTokenField("second")}, want: "t7"},
		{name: "not a string", payload: `{"TaskToken":42}`, wantReason: "TaskToken is a JSON number, not a string"},
		{name: "null", payload: `{"TaskToken":null}`, wantReason: "TaskToken is a JSON null, not a string"},
		{name: "empty", payload: `{"TaskToken":""}`, wantReason: "TaskToken is empty"},
		{name: "not JSON", payload: `TaskToken=abc`, wantReason: "not valid JSON"},
		{name: "array payload", payload: `["TaskToken"]`, want: ""},
		{name: "empty payload", payload: ``, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOptions(tt.opts)
			got, reason := findToken([]byte(tt.payload), o.tokenPaths)
			if got != tt.want {
				t.Errorf("token = %q, want %q", got, tt.want)
			}
			if (tt.wantReason == "") != (reason == "") || !strings.Contains(reason, tt.wantReason) {
				t.Errorf("reason = %q, want one containing %q", reason, tt.wantReason)
			}
		})
	}
}

type resizeIn struct {
	Image string `json:"image"`
	Width int    `json:"width"`
}

type resizeOut struct {
	Thumb string `json:"thumb"`
}

func resize(_ context.Context, in resizeIn) (resizeOut, error) {
	switch in.Image {
	case "":
		return resizeOut{}, &Error{Name: "NoImage", Cause: "image is required"}
	case "panic":
		panic("decoder crashed")
	}
	return resizeOut{Thumb: in.Image + "@" + itoa(in.Width)}, nil
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

func TestHandler(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		f         *fakeSFN
		opts      []Option
		wantOut   string
		wantErr   any // pointer to the error type expected, nil for none
		wantCalls []call
	}{
		{
			name: "success answered, output returned", payload: `{"TaskToken":"t","image":"a.png","width":64}`, f: &fakeSFN{},
			wantOut:   `{"thumb":"a.png@64"}`,
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "t", Output: `{"thumb":"a.png@64"}`}},
		},
		{
			name: "input field", payload: `{"taskToken":"t","input":{"image":"b.png","width":8}}`, f: &fakeSFN{},
			opts:      []Option{WithInputField("input")},
			wantOut:   `{"thumb":"b.png@8"}`,
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "t", Output: `{"thumb":"b.png@8"}`}},
		},
		{
			name: "failure answered, invocation succeeds", payload: `{"TaskToken":"t"}`, f: &fakeSFN{},
			wantOut:   `null`,
			wantCalls: []call{{Op: "SendTaskFailure", Token: "t", Error: "NoImage", Cause: "image is required"}},
		},
		{
			name: "panic answered", payload: `{"TaskToken":"t","image":"panic"}`, f: &fakeSFN{},
			wantOut:   `null`,
			wantCalls: []call{{Op: "SendTaskFailure", Token: "t", Error: "PanicError", Cause: "handler: panic: decoder crashed"}},
		},
		{
			name: "input that does not decode is answered", payload: `{"TaskToken":"t","width":"wide"}`, f: &fakeSFN{},
			wantOut: `null`,
			wantCalls: []call{{Op: "SendTaskFailure", Token: "t", Error: "DecodeError",
				Cause: "handler: payload does not decode into callback.resizeIn: json: cannot unmarshal string into Go struct field resizeIn.width of type int"}},
		},
		{
			name: "missing input field is answered", payload: `{"TaskToken":"t"}`, f: &fakeSFN{}, opts: []Option{WithInputField("input")},
			wantOut: `null`,
			wantCalls: []call{{Op: "SendTaskFailure", Token: "t", Error: "DecodeError",
				Cause: "handler: payload does not decode into callback.resizeIn: no field input in the payload"}},
		},
		{
			name: "task gone: invocation ends quietly", payload: `{"TaskToken":"t","image":"a","width":1}`, f: &fakeSFN{successErr: errTimedOut},
			wantOut:   `null`,
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "t", Output: `{"thumb":"a@1"}`}},
		},
		{
			name: "undelivered: invocation fails for a retry", payload: `{"TaskToken":"t","image":"a","width":1}`, f: &fakeSFN{successErr: errUnavailable},
			wantErr:   new(*DeliveryError),
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "t", Output: `{"thumb":"a@1"}`}},
		},
		{
			name: "no token", payload: `{"image":"a"}`, f: &fakeSFN{},
			wantErr: new(*MissingTokenError),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Handler(tt.f, resize, append(tt.opts, WithLogger(discard()))...)
			out, err := h(context.Background(), []byte(tt.payload))
			checkErr(t, err, tt.wantErr)
			if string(out) != tt.wantOut {
				t.Errorf("response = %s, want %s", out, tt.wantOut)
			}
			if diff := cmp.Diff(tt.wantCalls, tt.f.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSQSWorker(t *testing.T) {
	str := func(s string) *string { return &s }
	attr := func(name, v string) map[string]events.SQSMessageAttribute {
		return map[string]events.SQSMessageAttribute{name: {DataType: "String", StringValue: str(v)}}
	}
	tests := []struct {
		name      string
		msg       events.SQSMessage
		f         *fakeSFN
		opts      []Option
		wantErr   any
		wantCalls []call
	}{
		{
			name: "success: message deleted", msg: events.SQSMessage{Body: `{"TaskToken":"t","image":"a","width":2}`}, f: &fakeSFN{},
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "t", Output: `{"thumb":"a@2"}`}},
		},
		{
			name: "failure answered: message deleted", msg: events.SQSMessage{Body: `{"TaskToken":"t"}`}, f: &fakeSFN{},
			wantCalls: []call{{Op: "SendTaskFailure", Token: "t", Error: "NoImage", Cause: "image is required"}},
		},
		{
			name: "token in a message attribute, body not an object", msg: events.SQSMessage{Body: `{"image":"c","width":3}`, MessageAttributes: attr("taskToken", "ta")},
			f:         &fakeSFN{},
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "ta", Output: `{"thumb":"c@3"}`}},
		},
		{
			name: "configured attribute", msg: events.SQSMessage{Body: `{"image":"c","width":3,"TaskToken":"body"}`, MessageAttributes: attr("Cb", "ta")},
			f: &fakeSFN{}, opts: []Option{WithTokenAttribute("Cb")},
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "ta", Output: `{"thumb":"c@3"}`}},
		},
		{
			name: "redelivery of an answered token: deleted, no loop", msg: events.SQSMessage{Body: `{"TaskToken":"t","image":"a","width":2}`},
			f:         &fakeSFN{successErr: errDoesNotExist},
			wantCalls: []call{{Op: "SendTaskSuccess", Token: "t", Output: `{"thumb":"a@2"}`}},
		},
		{
			name: "failure not delivered: redelivered", msg: events.SQSMessage{Body: `{"TaskToken":"t"}`}, f: &fakeSFN{failureErr: errUnavailable},
			wantErr:   new(*DeliveryError),
			wantCalls: []call{{Op: "SendTaskFailure", Token: "t", Error: "NoImage", Cause: "image is required"}},
		},
		{
			name: "no token: typed error, ends in the DLQ", msg: events.SQSMessage{MessageId: "m-1", Body: `{"image":"a"}`}, f: &fakeSFN{},
			wantErr: new(*MissingTokenError),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rh := SQSWorker(tt.f, resize, append(tt.opts, WithLogger(discard()))...)
			err := rh(context.Background(), tt.msg)
			checkErr(t, err, tt.wantErr)
			if diff := cmp.Diff(tt.wantCalls, tt.f.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMissingTokenErrorNamesPlaces(t *testing.T) {
	rh := SQSWorker(&fakeSFN{}, resize, WithLogger(discard()))
	err := rh(context.Background(), events.SQSMessage{Body: `{}`})
	want := "callback: no task token in TaskToken, taskToken, task_token, attribute TaskToken, attribute taskToken, attribute task_token"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if got := handler.ErrorType(err); got != "MissingTokenError" {
		t.Errorf("the Lambda runtime would name it %q, want MissingTokenError", got)
	}
}

func TestAnnotatesOutcome(t *testing.T) {
	tests := []struct {
		payload string
		f       *fakeSFN
		want    map[string]any
	}{
		{`{"TaskToken":"t","image":"a"}`, &fakeSFN{}, map[string]any{"callback.outcome": "succeeded"}},
		{`{"TaskToken":"t"}`, &fakeSFN{}, map[string]any{"callback.outcome": "failed", "callback.error": "NoImage"}},
		{`{"TaskToken":"t","image":"a"}`, &fakeSFN{successErr: errTimedOut}, map[string]any{"callback.outcome": "gone"}},
		{`{"TaskToken":"t","image":"a"}`, &fakeSFN{successErr: errUnavailable}, map[string]any{"callback.outcome": "undelivered"}},
		{`{}`, &fakeSFN{}, map[string]any{"callback.outcome": "no_token"}},
	}
	for _, tt := range tests {
		rec := &handlertest.Tracer{}
		h := handler.Chain(Handler(tt.f, resize, WithLogger(discard())), handler.Tracing(rec))
		_, _ = h(context.Background(), []byte(tt.payload))
		if diff := cmp.Diff(tt.want, rec.Annotations()); diff != "" {
			t.Errorf("%s: annotations (-want +got):\n%s", tt.payload, diff)
		}
	}
}

// checkErr checks err against want, a pointer to a pointer error type, or
// nil for no error.
func checkErr(t *testing.T, err error, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if err != nil {
			t.Errorf("error = %v, want nil", err)
		}
	case **DeliveryError:
		if !errors.As(err, w) || errors.Is(err, ErrTaskGone) {
			t.Errorf("error = %v, want a *DeliveryError for a live task", err)
		}
	case **MissingTokenError:
		if !errors.As(err, w) {
			t.Errorf("error = %v, want a *MissingTokenError", err)
		}
	default:
		t.Fatalf("checkErr: unsupported %T", want)
	}
}
