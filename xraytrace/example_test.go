package xraytrace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"

	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/xraytrace"
)

// A function traced with X-Ray: the invocation's subsegment goes to the
// daemon, here a UDP listener standing in for the one Lambda runs.
func Example() {
	// The SDK logs to stdout through a global logger; silence it here.
	xray.SetLogger(xraylog.NullLogger)

	daemon, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		panic(err)
	}
	defer daemon.Close()

	tracer, err := xraytrace.New(xraytrace.WithDaemonAddr(daemon.LocalAddr().String()), xraytrace.WithName("orders"))
	if err != nil {
		panic(err)
	}
	process := func(ctx context.Context, order struct{ Items int }) (string, error) {
		handler.Annotate(ctx, "items", order.Items)
		return "accepted", nil
	}
	h := handler.New(process, handler.Defaults(handler.WithTracer(tracer))...)

	// aws-lambda-go puts the trace header of Lambda's segment in the context.
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this plain string.
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id",
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	out, err := h(ctx, []byte(`{"Items": 3}`))
	fmt.Println(string(out), err)

	buf := make([]byte, 64<<10)
	n, _ := daemon.Read(buf)
	_, doc, _ := bytes.Cut(buf[:n], []byte("\n"))
	var sub struct {
		Type, Name  string
		ParentID    string `json:"parent_id"`
		Annotations map[string]any
	}
	if err := json.Unmarshal(doc, &sub); err != nil {
		panic(err)
	}
	fmt.Println(sub.Type, sub.Name, sub.ParentID, sub.Annotations)
	// Output:
	// "accepted" <nil>
	// subsegment orders 53995c3f42cd8ad8 map[ColdStart:true items:3]
}
