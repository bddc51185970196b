package server

import (
	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// WithTracerProvider makes one server span per partner request (default: a
// no-op provider, which still carries a partner's trace context through to
// the upstream and the access log). The same provider should be given to
// the upstream client (upstream.Config.TracerProvider), so each upstream
// attempt is a child span.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(s *Server) { s.tracer = tp.Tracer("lmsproxy/server") }
}

// traceContext is the one propagation format accepted from partners and
// sent upstream: W3C Trace Context (traceparent and tracestate).
var traceContext propagation.TraceContext

// trace continues the partner's trace, or starts one, with a span named
// after the route template, never the raw path, which carries partner ids.
// Its attributes are the method, the route, the status and the partner
// code: no header, partner value or token. It runs outside instrument,
// which writes errors, so the span's status is the one sent. Probes and
// scrapes are not traced, as they are not logged at info either.
func (s *Server) trace(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		route := s.metrics.route(c)
		if quietRoutes[route] {
			return next(c)
		}
		req := c.Request()
		method := methodLabel(req.Method)
		ctx := traceContext.Extract(req.Context(), propagation.HeaderCarrier(req.Header))
		ctx, span := s.tracer.Start(ctx, method+" "+route,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.HTTPRequestMethodKey.String(method), semconv.HTTPRoute(route)))
		defer span.End()
		sc := scopeOf(c)
		sc.traceID = span.SpanContext().TraceID()
		c.SetRequest(req.WithContext(ctx))
		err := next(c)
		status := c.Response().Status
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if sc.code != "" {
			span.SetAttributes(attribute.String("lmsproxy.code", string(sc.code)))
		}
		if status >= 500 {
			// Server spans mark 5xx only: a 4xx is the partner's error.
			span.SetStatus(codes.Error, string(sc.code))
		}
		return err
	}
}
