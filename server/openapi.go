package server

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument is the partner contract (spec §§2–7) as OpenAPI 3. It is
// written by hand, not generated, because it is the contract the code must
// meet; openapi_test.go checks every route is in it and validates real
// responses against it.
//
//go:embed openapi.json
var openAPIDocument []byte

func serveOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}
