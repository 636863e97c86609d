// Package oteltrace implements the [handler.Tracer] hook with OpenTelemetry:
// one span per invocation following the OpenTelemetry semantic conventions
// for FaaS, AWS SDK v2 calls as client spans beneath it, and an export that
// completes within each invocation.
//
// It lives in its own package so that a function which does not trace does
// not link the OpenTelemetry SDK. The package does not choose an exporter:
// the TracerProvider passed to [New] does (OTLP to the ADOT or CloudWatch
// agent's collector extension, usually), together with its sampler and its
// [Resource].
//
//	res, _ := resource.Merge(resource.Default(), oteltrace.Resource())
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
//	tracer := oteltrace.New(tp)
//	oteltrace.InstrumentAWS(&cfg, tp)
//	h := handler.New(process, handler.Defaults(handler.WithTracer(tracer))...)
//	handler.Start(h, handler.OnShutdown(tracer.Shutdown))
//
// Lambda freezes the execution environment as soon as the function has
// posted its response and asked for the next invocation, so a batch span
// processor left to its own schedule would export at some later invocation,
// or never. The end of each invocation therefore flushes the provider,
// waiting no longer than [WithFlushTimeout] and the invocation's deadline;
// [Tracer.Shutdown], run on SIGTERM through handler.OnShutdown, flushes what
// remains. With [Tracer.Handler] the per-invocation flush moves after the
// response is posted, so the caller does not wait for the export.
//
// The span's parent: Lambda passes the invocation an X-Ray trace header
// naming the segment it records. By default the span starts a trace of its
// own and links to that segment; [WithXRayParent] makes it the parent.
//
// See https://opentelemetry.io/docs/specs/semconv/faas/ and
// https://docs.aws.amazon.com/lambda/latest/dg/golang-tracing.html.
package oteltrace
