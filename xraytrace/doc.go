// Package xraytrace implements the [handler.Tracer] hook with the AWS X-Ray
// SDK for Go (github.com/aws/aws-xray-sdk-go), so that lambdakit's
// invocations and the AWS calls they make appear in X-Ray.
//
// It lives in its own package so that a function which does not trace with
// X-Ray does not link the X-Ray SDK, which brings the v1 AWS SDK, gRPC and
// fasthttp with it: about 12 MiB of binary and a few milliseconds of init on
// every cold start (scripts/initbench.sh measures it).
//
// In Lambda with active tracing, the Lambda service records the function's
// segment itself; code in the function may only add subsegments under it. The
// runtime hands the segment's id to the function in the trace header, which
// aws-lambda-go puts in the invocation's context. [Tracer] reads the header
// from there (through [handler.TraceID]), never from _X_AMZN_TRACE_ID, which
// the runtime leaves unset when it runs invocations concurrently, and opens
// one subsegment per invocation under that "facade" segment. The subsegment
// carries a ColdStart annotation and the outcomes that lambdakit's feature
// packages record with [handler.Annotate]; it is sent to the X-Ray daemon over
// UDP when the invocation ends.
//
//	tracer, err := xraytrace.New()
//	if err != nil { ... }
//	cfg, err := config.LoadDefaultConfig(ctx)
//	xraytrace.InstrumentAWS(&cfg) // SFN, SQS, DynamoDB calls become subsegments
//	handler.Start(handler.New(process, handler.Defaults(handler.WithTracer(tracer))...))
//
// The X-Ray SDKs entered maintenance mode on 2026-02-25 and lose support on
// 2027-02-25; AWS recommends OpenTelemetry, which lambdakit's oteltrace
// package adapts to the same hook.
//
// See https://docs.aws.amazon.com/lambda/latest/dg/golang-tracing.html and
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html.
package xraytrace
