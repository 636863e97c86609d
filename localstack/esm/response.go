package esm

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// parseBatchResponse applies the rules of "Reporting batch item failures" for SQS
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html) to a function's response and
// returns the ids of the messages the function reported as failed. ids holds the message ids of the batch.
//
// A nil result with a nil error means every message succeeded: an empty or null response, an empty or null
// batchItemFailures list, or an object without that key (an "empty EventResponse"). Any error means the whole batch
// failed: invalid JSON, a response that is not an object, batchItemFailures that is not a list of objects, an
// empty, null or non-string itemIdentifier (including an item whose key is misspelt), or an itemIdentifier that is
// not a message of the batch. Keys are matched exactly, as Lambda does, not case-insensitively as encoding/json
// would.
func parseBatchResponse(resp []byte, ids map[string]bool) (failed []string, err error) {
	resp = bytes.TrimSpace(resp)
	if len(resp) == 0 {
		return nil, nil
	}
	if !json.Valid(resp) {
		return nil, fmt.Errorf("%w: response is not valid JSON", ErrInvalidBatchResponse)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(resp, &top); err != nil {
		return nil, fmt.Errorf("%w: response is not a JSON object", ErrInvalidBatchResponse)
	}
	raw, ok := top["batchItemFailures"]
	if !ok {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%w: batchItemFailures is not a list", ErrInvalidBatchResponse)
	}
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(item, &fields); err != nil || fields == nil {
			return nil, fmt.Errorf("%w: batchItemFailures[%d] is not an object", ErrInvalidBatchResponse, i)
		}
		rawID, ok := fields["itemIdentifier"]
		if !ok || string(rawID) == "null" {
			return nil, fmt.Errorf("%w: batchItemFailures[%d] has no itemIdentifier", ErrInvalidBatchResponse, i)
		}
		var id string
		if err := json.Unmarshal(rawID, &id); err != nil {
			return nil, fmt.Errorf("%w: batchItemFailures[%d].itemIdentifier is not a string", ErrInvalidBatchResponse, i)
		}
		if id == "" {
			return nil, fmt.Errorf("%w: batchItemFailures[%d].itemIdentifier is empty", ErrInvalidBatchResponse, i)
		}
		if !ids[id] {
			return nil, fmt.Errorf("%w: batchItemFailures[%d].itemIdentifier %q is not in the batch", ErrInvalidBatchResponse, i, id)
		}
		if !seen[id] {
			seen[id] = true
			failed = append(failed, id)
		}
	}
	return failed, nil
}
