package tracing

import (
	"context"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/heraldbot/herald"
)

// The environment variables FromEnv reads itself (the exporters and the
// SDK read the others).
const (
	EnvDisabled       = "OTEL_SDK_DISABLED"                  // "true": no traces
	EnvExporter       = "OTEL_TRACES_EXPORTER"               // "otlp" or "none"
	EnvEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"        // the collector
	EnvTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" // the collector, for traces only
	EnvProtocol       = "OTEL_EXPORTER_OTLP_PROTOCOL"        // "http/protobuf" (default) or "grpc"
	EnvTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" // the same, for traces only
)

// FromEnv returns a tracer provider exporting spans as the OTEL_*
// variables say, or nil when none asks for traces: OTEL_SDK_DISABLED is
// true, OTEL_TRACES_EXPORTER is "none", or it is unset and no OTLP
// endpoint is set. (OpenTelemetry's own default would export to
// localhost:4318 even when nothing listens; Herald leaves traces off
// until an endpoint or OTEL_TRACES_EXPORTER=otlp asks for them.)
// serviceName is the service.name when OTEL_SERVICE_NAME does not set
// one. Call Shutdown on the provider before the process exits, to send
// the spans still batched.
func FromEnv(ctx context.Context, serviceName string) (*sdktrace.TracerProvider, error) {
	if strings.EqualFold(os.Getenv(EnvDisabled), "true") {
		return nil, nil
	}
	switch exp := strings.ToLower(strings.TrimSpace(os.Getenv(EnvExporter))); exp {
	case "none":
		return nil, nil
	case "":
		if os.Getenv(EnvEndpoint) == "" && os.Getenv(EnvTracesEndpoint) == "" {
			return nil, nil
		}
	case "otlp":
	default:
		return nil, fmt.Errorf("tracing: %s=%q: want otlp or none", EnvExporter, exp)
	}
	protocol := os.Getenv(EnvTracesProtocol)
	if protocol == "" {
		protocol = os.Getenv(EnvProtocol)
	}
	var exporter sdktrace.SpanExporter
	var err error
	switch protocol {
	case "", "http/protobuf":
		exporter, err = otlptracehttp.New(ctx)
	case "grpc":
		exporter, err = otlptracegrpc.New(ctx)
	default:
		return nil, fmt.Errorf("tracing: OTLP protocol %q: want http/protobuf or grpc", protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	if serviceName == "" {
		serviceName = "herald"
	}
	// The environment's attributes come last, so OTEL_SERVICE_NAME wins.
	res, err := resource.New(ctx, resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", serviceName)), resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res)), nil
}

// Option returns herald.WithTracerProvider(tp), or nil (an option
// herald.New skips) when tp is nil, so that FromEnv's answer can be
// passed as it is.
func Option(tp *sdktrace.TracerProvider) herald.Option {
	if tp == nil {
		return nil
	}
	return herald.WithTracerProvider(tp)
}
