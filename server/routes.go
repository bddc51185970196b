package server

import "github.com/labstack/echo/v4"

// resource is one partner resource: its handlers, and the routes that serve
// them under /v1.
type resource interface {
	mount(v1 *echo.Group)
}

// resources are the partner API, mounted by New in this order. Adding a
// resource is one line here (and, for its upstream calls, one embedded
// interface in Upstream).
func (s *Server) resources() []resource {
	loans := &loans{s: s, products: newTTLCache[int64, cachedProduct](productCacheTTL, s.now)}
	return []resource{
		&customers{s: s},
		&loanProducts{s: s},
		loans,
		&repayments{s: s, loans: loans},
	}
}

// router registers routes below one path, the resource as one addressing
// form names it.
type router struct {
	g    *echo.Group
	path string
}

// add registers h for method at the router's path followed by sub ("" for
// the resource itself).
func (r router) add(method, sub string, h echo.HandlerFunc) {
	r.g.Add(method, r.path+sub, h)
}

// bothForms registers a resource's routes once for both addressing forms,
// prefix/:id and prefix/external/:externalId (as a names them), so that the
// two forms cannot drift apart. It registers plain routes, not Echo
// sub-groups: a sub-group inherits /v1's middleware and so registers
// catch-all routes of its own (echo group.go Use), which would change what
// unknown paths and methods under it answer.
func bothForms[R any](g *echo.Group, prefix string, a addressing[R], routes func(r router)) {
	routes(router{g: g, path: prefix + "/:" + a.idParam})
	routes(router{g: g, path: prefix + "/external/:" + a.extParam})
}
