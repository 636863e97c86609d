package esm

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBatchResponse(t *testing.T) {
	ids := map[string]bool{"m1": true, "m2": true, "m3": true}
	tests := []struct {
		name    string
		resp    string
		want    []string
		invalid bool
	}{
		// Complete success, per the Lambda documentation.
		{name: "empty response", resp: ``},
		{name: "whitespace response", resp: " \n"},
		{name: "null response", resp: `null`},
		{name: "empty object", resp: `{}`},
		{name: "empty list", resp: `{"batchItemFailures":[]}`},
		{name: "null list", resp: `{"batchItemFailures":null}`},
		{name: "other keys only", resp: `{"statusCode":200}`},
		// Partial failure.
		{name: "one failure", resp: `{"batchItemFailures":[{"itemIdentifier":"m2"}]}`, want: []string{"m2"}},
		{name: "order kept", resp: `{"batchItemFailures":[{"itemIdentifier":"m3"},{"itemIdentifier":"m1"}]}`, want: []string{"m3", "m1"}},
		{name: "duplicates collapse", resp: `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m2"}]}`, want: []string{"m2"}},
		{name: "all failed", resp: `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}`, want: []string{"m1", "m2", "m3"}},
		{name: "extra item keys", resp: `{"batchItemFailures":[{"itemIdentifier":"m1","reason":"x"}]}`, want: []string{"m1"}},
		// Complete failure.
		{name: "invalid JSON", resp: `{"batchItemFailures":[`, invalid: true},
		{name: "plain text", resp: `ok`, invalid: true},
		{name: "string", resp: `"ok"`, invalid: true},
		{name: "array", resp: `[{"itemIdentifier":"m1"}]`, invalid: true},
		{name: "list is object", resp: `{"batchItemFailures":{"itemIdentifier":"m1"}}`, invalid: true},
		{name: "item is string", resp: `{"batchItemFailures":["m1"]}`, invalid: true},
		{name: "item is null", resp: `{"batchItemFailures":[null]}`, invalid: true},
		{name: "empty identifier", resp: `{"batchItemFailures":[{"itemIdentifier":""}]}`, invalid: true},
		{name: "null identifier", resp: `{"batchItemFailures":[{"itemIdentifier":null}]}`, invalid: true},
		{name: "misspelt key", resp: `{"batchItemFailures":[{"itemIdentifer":"m1"}]}`, invalid: true},
		{name: "wrong case key", resp: `{"batchItemFailures":[{"ItemIdentifier":"m1"}]}`, invalid: true},
		{name: "numeric identifier", resp: `{"batchItemFailures":[{"itemIdentifier":1}]}`, invalid: true},
		{name: "unknown identifier", resp: `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m9"}]}`, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBatchResponse([]byte(tt.resp), ids)
			if tt.invalid {
				if !errors.Is(err, ErrInvalidBatchResponse) {
					t.Fatalf("err = %v, want ErrInvalidBatchResponse", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("failed ids mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
