package fake

import (
	"net/url"
	"strconv"
	"strings"

	"lmsproxy/upstream"
)

// route is one path template under BasePath: literal segments and
// {parameter} segments, matched against the percent-decoded path segment by
// segment. The first template that matches wins, with no backtracking, as
// Jersey does once it has picked one; where the upstream's templates
// overlap, the resource registers the one Jersey prefers first (see
// externalIDShadow).
type route struct {
	template string
	// served reports whether the simulated line has the route; nil: every
	// line.
	served func(upstream.Version) bool
	// methods are the handlers for a matched path, given its parameters; nil
	// when a parameter does not convert (JAX-RS answers 404).
	methods func(s *Server, c *call, p params) methods
}

// addressed are the two routes of a resource addressed by id,
// collection/{idParam}tail, and, from 1.9, by external id,
// collection/external-id/{extParam}tail; serve answers both with the target
// the path names, so a resource writes its handlers once.
func addressed(collection, idParam, extParam, tail string, serve func(s *Server, c *call, t target) methods) []route {
	return []route{
		{template: collection + "/{" + idParam + "}" + tail, methods: func(s *Server, c *call, p params) methods {
			id, ok := p.long(idParam)
			if !ok {
				return nil
			}
			return serve(s, c, byID(id))
		}},
		{template: collection + "/external-id/{" + extParam + "}" + tail, served: upstream.Version.HasExternalIDRoutes,
			methods: func(s *Server, c *call, p params) methods { return serve(s, c, byExternalID(p[extParam])) }},
	}
}

// params are a matched path's parameters by name, decoded.
type params map[string]string

// long converts a Long path parameter; false is JAX-RS failing to.
func (p params) long(name string) (int64, bool) {
	n, err := strconv.ParseInt(p[name], 10, 64)
	return n, err == nil
}

// target is the record a path addresses by extParam when the template has
// it, else by the Long idParam; false when that does not convert.
func (p params) target(idParam, extParam string) (target, bool) {
	if ext, ok := p[extParam]; ok {
		return byExternalID(ext), true
	}
	id, ok := p.long(idParam)
	return byID(id), ok
}

// match reports whether segs fit the template, and its parameters.
func (rt route) match(segs []string) (params, bool) {
	tmpl := strings.Split(rt.template, "/")
	if len(tmpl) != len(segs) {
		return nil, false
	}
	p := params{}
	for i, t := range tmpl {
		if name, ok := strings.CutPrefix(t, "{"); ok {
			p[strings.TrimSuffix(name, "}")] = segs[i]
		} else if t != segs[i] {
			return nil, false
		}
	}
	return p, true
}

// methods are the handlers of one resource path.
type methods map[string]func() result

// resource finds the handlers for a path. Segments are percent-decoded one
// by one (an encoded "/" never gets here: the firewall refuses it).
func (s *Server) resource(c *call, rest string) methods {
	var segs []string
	for _, seg := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(rest, "/"), "/"), "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return nil
		}
		segs = append(segs, dec)
	}
	for _, rt := range routes {
		if rt.served != nil && !rt.served(s.opts.Version) {
			continue
		}
		if p, ok := rt.match(segs); ok {
			return rt.methods(s, c, p)
		}
	}
	return nil
}

// externalIDShadow is a resource template that Jersey matches, for
// /{resources}/external-id/{name}, before the resource's
// "/external-id/{externalId}": templates are tried by number of literal
// characters, then of variables, the first match wins and there is no
// backtracking. Its numeric path parameter then receives "external-id",
// which does not convert (404); a method the template lacks is a 405.
type externalIDShadow []string

func (sh externalIDShadow) methods(unconvertible func() result) methods {
	m := methods{}
	for _, method := range sh {
		m[method] = unconvertible
	}
	return m
}
