package server

import "github.com/labstack/echo/v4"

// Routes exposes the registered routes to the external tests, which check
// them against openapi.json.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }
