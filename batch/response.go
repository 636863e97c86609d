package batch

import "github.com/go-json-experiment/json/jsontext"

// appendResponse appends the batchItemFailures response for ids to dst. The
// list is always present, empty on full success, which the mapping reads as
// "every record succeeded".
func appendResponse(dst []byte, ids []string) []byte {
	dst = append(dst, `{"batchItemFailures":[`...)
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"itemIdentifier":`...)
		// Identifiers come from a decoded JSON document, so they are valid
		// UTF-8 and quoting cannot fail.
		dst, _ = jsontext.AppendQuote(dst, id)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}
