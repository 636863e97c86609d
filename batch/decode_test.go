package batch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// decodeSeeds are payloads worth comparing with encoding/json: the shapes
// Lambda sends, and the edges where the fast path must give up.
var decodeSeeds = []string{
	``,
	`null`,
	`{}`,
	`[]`,
	`{"Records":null}`,
	`{"Records":[]}`,
	`{"Records":[{}]}`,
	`{"Records":[{"messageId":"1","body":"x"}]}`,
	`  {"Records" : [ {"messageId" : "1" , "body" : "x" } ] }  `,
	`{"records":[{"messageId":"1"}]}`,
	`{"Records":[{"MessageId":"1"}]}`,
	`{"Records":[{"messageId":"1","messageId":"2"}]}`,
	`{"Records":[{"messageId":null}]}`,
	`{"Records":[{"messageId":1}]}`,
	`{"Records":[{"messageId":"1"}],"Records":[]}`,
	`{"Records":[{"messageId":"1"}]} x`,
	`{"Records":[{"messageId":"1"}]`,
	`{"Records":[{"messageId":"1","extra":{"a":[1,2,{"b":null}]}}]}`,
	`{"Records":[{"body":"{\"a\":\"\\u00e9\\n\\t\\\"q\\\"\"}"}]}`,
	`{"Records":[{"body":"\u00e9\ud83d\ude00 caf\u00e9 \/ \b\f\r"}]}`,
	`{"Records":[{"body":"lone \ud83d surrogate"}]}`,
	`{"Records":[{"body":"lone \ude00 low"}]}`,
	`{"Records":[{"body":"bad \x escape"}]}`,
	"{\"Records\":[{\"body\":\"raw \x01 control\"}]}",
	"{\"Records\":[{\"body\":\"invalid \xff utf8\"}]}",
	"{\"Records\":[{\"body\":\"surrogate \xed\xa0\x80 utf8\"}]}",
	"{\"Records\":[{\"body\":\"ok é ünïcode 😀\"}]}",
	`{"Records":[{"attributes":{"a":"1","a":"2","b\u0041":"3"}}]}`,
	`{"Records":[{"attributes":{"a":null}}]}`,
	`{"Records":[{"attributes":null}]}`,
	`{"Records":[{"messageAttributes":{}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"stringValue":"v","stringListValues":[],"binaryListValues":[],"dataType":"String"}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"binaryValue":"MTEwMA==","binaryListValues":["MA==","MQ=="],"dataType":"Binary"}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"binaryValue":"not base64!"}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"binaryValue":"MTEw\nMA=="}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"binaryValue":""}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"binaryValue":[1,2]}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"stringValue":"a"},"x":{"dataType":"b"}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"stringValue":null}}}]}`,
	`{"Records":[{"messageAttributes":{"x":{"dataType":"a","dataType":"b"}}}]}`,
	`{"Records":[{"messageAttributes":{"\u00e9\"":{"dataType":"a"}}}]}`,
	`{"Records":[{"messageId":"1"},]}`,
	`{"Records":[{"messageId":"1",}]}`,
	`{"Records":[1]}`,
	`{"Records":{}}`,
}

// decodeV1 is the reference: what encoding/json gives.
func decodeV1(payload []byte) (events.SQSEvent, error) {
	var ev events.SQSEvent
	if len(payload) == 0 {
		return ev, nil
	}
	err := json.Unmarshal(payload, &ev)
	return ev, err
}

// checkSameAsEncodingJSON fails t unless decodeSQSEvent gives exactly what
// encoding/json gives: the same value (nil and empty told apart) on success,
// an error when encoding/json errs.
func checkSameAsEncodingJSON(t *testing.T, payload []byte) {
	t.Helper()
	want, wantErr := decodeV1(payload)
	var got events.SQSEvent
	gotErr := decodeSQSEvent(payload, &got)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("payload %q: error %v, encoding/json error %v", payload, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("payload %q: decoded event differs from encoding/json (-want +got):\n%s", payload, diff)
	}
}

func TestDecodeSQSEventMatchesEncodingJSON(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			checkSameAsEncodingJSON(t, b)
		})
	}
	for i, s := range decodeSeeds {
		t.Run("seed"+strings.Repeat("0", 3-len(itoa(i)))+itoa(i), func(t *testing.T) {
			checkSameAsEncodingJSON(t, []byte(s))
		})
	}
	t.Run("generated", func(t *testing.T) {
		checkSameAsEncodingJSON(t, sqsPayload(50, 1176, "arn:aws:sqs:us-east-1:123456789012:q"))
	})
}

// TestDecodeSQSEventFastPath pins that the payloads Lambda sends take the fast
// path: if the fast decoder started giving up on them, every result would
// still be right and only the benchmarks would notice.
func TestDecodeSQSEventFastPath(t *testing.T) {
	sample, err := os.ReadFile("testdata/sqs-event.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		payload []byte
	}{
		{"aws-lambda-go sample", sample},
		{"generated", sqsPayload(20, 1176, "arn:aws:sqs:us-east-1:123456789012:q.fifo")},
		{"escaped body", []byte(`{"Records":[{"messageId":"1","body":"{\"a\":\"\u00e9\\n\ud83d\ude00\"}"}]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev events.SQSEvent
			d := decoder{data: tt.payload}
			if !d.sqsEvent(&ev) {
				t.Fatalf("fast path gave up at byte %d of %q", d.pos, tt.payload[:min(len(tt.payload), 200)])
			}
		})
	}
}

// FuzzDecodeSQSEvent is the differential test under fuzzing: for any payload
// the fast decoder must agree with encoding/json. Its seeds run in every go
// test.
func FuzzDecodeSQSEvent(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/sqs-event.json"); err == nil {
		f.Add(b)
	}
	f.Add(sqsPayload(3, 64, "arn:aws:sqs:us-east-1:123456789012:q.fifo"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkSameAsEncodingJSON(t, payload)
	})
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// FuzzBodyDecode checks that SQSJSON's body decoder (JSON v2 with its
// encoding/json options) gives what encoding/json gives for a typical body
// type: the same value on success, an error when encoding/json errs.
func FuzzBodyDecode(f *testing.F) {
	for _, s := range []string{
		`{"orderId":"o-1","items":[{"sku":"a","qty":1,"price":1.5}],"tags":{"a":"b"},"fail":true}`,
		`{"ORDERID":"o-1","orderid":"o-2"}`,
		`{"orderId":"o-1","orderId":"o-2"}`,
		`{"items":null,"tags":null,"qty":1e3}`,
		`{"items":[{"qty":1.5}]}`,
		`{"items":[{"qty":"1"}]}`,
		"{\"note\":\"\xff\"}",
		`{"note":"\ud800"}`,
		`{"fail":"true"}`,
		`{"tags":{"a":1}}`,
		`null`,
		`[]`,
		`{} {}`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got orderBody
		wantErr := json.Unmarshal(b, &want)
		gotErr := decodeBody(b, &got)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("body %q: error %v, encoding/json error %v", b, gotErr, wantErr)
		}
		if wantErr != nil {
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("body %q differs from encoding/json (-want +got):\n%s", b, diff)
		}
	})
}
