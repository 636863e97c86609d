package oteltrace

import (
	"testing"
)

func TestParseXRayHeader(t *testing.T) {
	tests := []struct {
		header      string
		ok, sampled bool
		traceID     string
		spanID      string
	}{
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", true, true,
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1", true, false,
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"Parent=53995c3f42cd8ad8; Root=1-5759e988-bd862e3fe1be46a994272793", true, false,
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"", false, false, "", ""},
		{"Root=1-5759e988-bd862e3fe1be46a994272793", false, false, "", ""},
		{"Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=53995c3f42cd8ad8", false, false, "", ""},
		{"Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", false, false, "", ""},
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000", false, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			sc, ok := parseXRayHeader(tt.header)
			if ok != tt.ok {
				t.Fatalf("ok = %t, want %t", ok, tt.ok)
			}
			if !ok {
				return
			}
			if sc.TraceID().String() != tt.traceID || sc.SpanID().String() != tt.spanID {
				t.Errorf("ids = %s/%s, want %s/%s", sc.TraceID(), sc.SpanID(), tt.traceID, tt.spanID)
			}
			if sc.IsSampled() != tt.sampled || !sc.IsRemote() {
				t.Errorf("sampled = %t, remote = %t, want sampled %t and remote", sc.IsSampled(), sc.IsRemote(), tt.sampled)
			}
		})
	}
}

func TestParseARN(t *testing.T) {
	tests := []struct {
		in   string
		want arn
		ok   bool
	}{
		{"arn:aws:lambda:eu-west-1:123456789012:function:orders", arn{"eu-west-1", "123456789012", "orders", "arn:aws:lambda:eu-west-1:123456789012:function:orders"}, true},
		{"arn:aws:lambda:eu-west-1:123456789012:function:orders:live", arn{"eu-west-1", "123456789012", "orders", "arn:aws:lambda:eu-west-1:123456789012:function:orders"}, true},
		{"arn:aws:sqs:eu-west-1:123456789012:queue", arn{}, false},
		{"orders", arn{}, false},
	}
	for _, tt := range tests {
		got, ok := parseARN(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseARN(%q) = %+v, %t; want %+v, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
