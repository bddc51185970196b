package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"
)

// tracing is the span export the standard OTEL_* variables ask for. Only
// the exporter and its protocol are read here, so that a mistake is listed
// with the rest of the configuration; the OTLP exporters read their own
// endpoint, headers, timeout, certificates and compression
// (OTEL_EXPORTER_OTLP_*), and the SDK its sampler (OTEL_TRACES_SAMPLER,
// default parent-based always-on) and resource (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES). Tracing is off unless OTEL_TRACES_EXPORTER is
// otlp or an OTLP endpoint is set; off, the proxy runs with a no-op
// provider, which still forwards a partner's trace context upstream.
type tracing struct {
	// protocol of the OTLP export, "grpc" or "http/protobuf"; "" when off.
	protocol string
}

func loadTracing(getenv func(string) string) (tracing, []error) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return tracing{}, nil
	}
	switch exporter := getenv("OTEL_TRACES_EXPORTER"); exporter {
	case "none":
		return tracing{}, nil
	case "":
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return tracing{}, nil
		}
	case "otlp":
	default:
		return tracing{}, []error{fmt.Errorf("OTEL_TRACES_EXPORTER: want otlp or none, got %q", exporter)}
	}
	protocol := cmp.Or(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"), getenv("OTEL_EXPORTER_OTLP_PROTOCOL"), "http/protobuf")
	if protocol != "http/protobuf" && protocol != "grpc" {
		return tracing{}, []error{fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL: want http/protobuf or grpc, got %q", protocol)}
	}
	return tracing{protocol: protocol}, nil
}

// provider builds the tracer provider and the flush to run at exit, which
// sends the spans still batched. It does no I/O: the exporter connects on
// its first export.
func (t tracing) provider(ctx context.Context) (trace.TracerProvider, func(*zap.Logger), error) {
	if t.protocol == "" {
		return tracenoop.NewTracerProvider(), func(*zap.Logger) {}, nil
	}
	var exp sdktrace.SpanExporter
	var err error
	if t.protocol == "grpc" {
		exp, err = otlptracegrpc.New(ctx)
	} else {
		exp, err = otlptracehttp.New(ctx)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read last, win.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "lmsproxy"), attribute.String("service.version", version)),
		resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil {
		return nil, nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	flush := func(log *zap.Logger) {
		// The serving context is over by now; the flush gets its own bound.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			log.Warn("flushing traces failed; the last spans are lost", zap.Error(err))
		}
	}
	return tp, flush, nil
}
