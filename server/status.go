package server

import (
	"net/http"

	"lmsproxy/translate"
)

// httpStatus is the status every response with a partner code carries. The
// statuses follow Connect's table (connect-go protocol_connect.go
// connectCodeToHTTP). The mapping is HTTP, so it lives here, beside the one
// error writer, and translate stays free of net/http.
func httpStatus(c translate.Code) int {
	switch c {
	case translate.InvalidArgument:
		return http.StatusBadRequest
	case translate.Unauthenticated:
		return http.StatusUnauthorized
	case translate.PermissionDenied:
		return http.StatusForbidden
	case translate.NotFound:
		return http.StatusNotFound
	case translate.Aborted:
		return http.StatusConflict
	case translate.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}
