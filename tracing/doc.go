// Package tracing builds an OpenTelemetry tracer provider from the
// standard OTEL_* environment variables, for herald.WithTracerProvider.
// When no variable asks for traces, FromEnv returns nil and the bot
// traces nothing: an update then costs one nil check, not a no-op span.
//
// Traces go to an OTLP collector (Jaeger, Tempo, an OpenTelemetry
// Collector) over HTTP/protobuf, or gRPC with
// OTEL_EXPORTER_OTLP_PROTOCOL=grpc. The exporters read the rest of the
// OTEL_EXPORTER_OTLP_* settings (headers, TLS, timeout) themselves, the
// SDK reads OTEL_TRACES_SAMPLER and OTEL_BSP_*, and the resource takes
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
package tracing
