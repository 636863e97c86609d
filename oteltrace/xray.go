package oteltrace

import (
	"encoding/hex"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// parseXRayHeader reads the span context of the segment Lambda records from
// an X-Ray trace header, "Root=1-{8 hex}-{24 hex};Parent={16 hex};Sampled=1".
// An X-Ray trace id is the OpenTelemetry trace id with its first 8 digits
// (the epoch seconds) split off; the parent is the segment's id.
func parseXRayHeader(h string) (trace.SpanContext, bool) {
	var cfg trace.SpanContextConfig
	var haveRoot, haveParent bool
	for part := range strings.SplitSeq(h, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			// 1-5759e988-bd862e3fe1be46a994272793
			if len(v) != 35 || v[:2] != "1-" || v[10] != '-' {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(cfg.TraceID[:4], []byte(v[2:10])); err != nil {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(cfg.TraceID[4:], []byte(v[11:])); err != nil {
				return trace.SpanContext{}, false
			}
			haveRoot = true
		case "Parent":
			if len(v) != 16 {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(cfg.SpanID[:], []byte(v)); err != nil {
				return trace.SpanContext{}, false
			}
			haveParent = true
		case "Sampled":
			if v == "1" {
				cfg.TraceFlags = trace.FlagsSampled
			}
		}
	}
	if !haveRoot || !haveParent {
		return trace.SpanContext{}, false
	}
	cfg.Remote = true
	sc := trace.NewSpanContext(cfg)
	return sc, sc.IsValid()
}

// fmtValue formats an annotation value of a type with no attribute of its own.
func fmtValue(v any) string { return fmt.Sprint(v) }
