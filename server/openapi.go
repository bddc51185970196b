package server

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument is the partner contract as OpenAPI 3. It is written by
// hand rather than derived from the routes, because it is the contract the
// code must meet: openapi_test.go checks every route is in it and validates
// real responses against it. Its source is the YAML in openapi/, one file per
// resource with each route written once for both addressing forms, which go
// generate bundles into openapi.json; a test there fails while it is stale.
//
//go:generate go run ./openapi openapi.json
//go:embed openapi.json
var openAPIDocument []byte

func serveOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}
