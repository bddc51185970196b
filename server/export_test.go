package server

import (
	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
)

// Routes exposes the registered routes to the external tests, which check
// them against openapi.json.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// HTTPStatus exposes the status of each partner code to the external tests,
// which check every error answer carries it.
func HTTPStatus(c translate.Code) int { return httpStatus(c) }
