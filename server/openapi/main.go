// Command openapi bundles the OpenAPI sources beside it into the document
// the server embeds and serves, server/openapi.json:
//
//	go generate ./server/...
//
// The sources are OpenAPI 3 in YAML, so they can carry comments: common.yaml
// holds what every resource shares and each resource has its own file,
// listed in sources. They are merged as they are, with one addition: every
// route that addresses a single resource exists by id and by externalId,
// so such a path item is written once, in its by-id form, and marked
//
//	/v1/customers/{customer_id}/close:
//	  x-both-forms: {id: CustomerID, externalId: CustomerExternalID}
//
// naming the path parameter of each form. The bundle emits it twice:
// /v1/customers/{customer_id}/close taking CustomerID, and
// /v1/customers/external/{customer_external_id}/close taking
// CustomerExternalID, whose operationIds end in ByExternalId. Every summary
// says {by}, which reads "by id" or "by externalId", so the two forms are told
// apart in generated clients and docs.
package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// sources are the files bundled, in this order, which is the order of their
// tags and paths in the document. A new resource adds its file here.
var sources = []string{"common.yaml", "customers.yaml", "loan_products.yaml", "loans.yaml", "repayments.yaml", "operations.yaml"}

//go:embed *.yaml
var sourceFS embed.FS

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: openapi OUTPUT.json")
		os.Exit(2)
	}
	doc, err := bundle(sourceFS, sources)
	if err == nil {
		err = os.WriteFile(os.Args[1], doc, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}

// bundle merges the named YAML files of src into one indented JSON
// document, expanding each x-both-forms path item.
func bundle(src fs.FS, names []string) ([]byte, error) {
	present, err := fs.Glob(src, "*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range present {
		if !slices.Contains(names, name) {
			return nil, fmt.Errorf("%s is not in sources, so it would never be served", name)
		}
	}
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range names {
		raw, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, err
		}
		var file yaml.Node
		if err := yaml.Unmarshal(raw, &file); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(file.Content) != 1 || file.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: not a YAML mapping", name)
		}
		if err := merge(doc, file.Content[0], nil); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := expandForms(doc); err != nil {
		return nil, err
	}
	var compact, out bytes.Buffer
	if err := writeJSON(&compact, doc); err != nil {
		return nil, err
	}
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// merge adds the entries of the mapping src to the mapping dst. Sources
// share the document root, paths and the components sections, and the
// root's tags list grows by each source's tags; any other key defined twice
// is refused, so no file silently overrides another's (or its own) path,
// schema or info.
func merge(dst, src *yaml.Node, at []string) error {
	for i := 0; i < len(src.Content); i += 2 {
		key, value := src.Content[i], src.Content[i+1]
		path := append(slices.Clone(at), key.Value)
		existing := lookup(dst, key.Value)
		switch {
		case existing == nil:
			dst.Content = append(dst.Content, key, value)
		case len(path) == 1 && key.Value == "tags" && existing.Kind == yaml.SequenceNode && value.Kind == yaml.SequenceNode:
			existing.Content = append(existing.Content, value.Content...)
		case shared(path) && existing.Kind == yaml.MappingNode && value.Kind == yaml.MappingNode:
			if err := merge(existing, value, path); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s is defined twice", strings.Join(path, " › "))
		}
	}
	return nil
}

// shared reports whether the mapping at path takes entries from several
// sources: paths, components and each components section.
func shared(path []string) bool {
	switch len(path) {
	case 1:
		return path[0] == "paths" || path[0] == "components"
	case 2:
		return path[0] == "components"
	}
	return false
}

// expandForms replaces each path item marked x-both-forms by its by-id and
// by-externalId forms, in place, so the document keeps the sources' order.
func expandForms(doc *yaml.Node) error {
	paths := lookup(doc, "paths")
	if paths == nil {
		return nil
	}
	parameters := lookup(lookup(doc, "components"), "parameters")
	var expanded []*yaml.Node
	for i := 0; i < len(paths.Content); i += 2 {
		key, item := paths.Content[i], paths.Content[i+1]
		forms := remove(item, "x-both-forms")
		if forms == nil {
			expanded = append(expanded, key, item)
			continue
		}
		id, err := pathParameter(parameters, forms, "id")
		if err != nil {
			return fmt.Errorf("%s: %w", key.Value, err)
		}
		externalID, err := pathParameter(parameters, forms, "externalId")
		if err != nil {
			return fmt.Errorf("%s: %w", key.Value, err)
		}
		placeholder := "/{" + id.name + "}"
		if !strings.Contains(key.Value, placeholder) {
			return fmt.Errorf("%s: x-both-forms id %s, but the path has no %s", key.Value, id.component, placeholder)
		}
		byID, err := form(item, id, "", "by id")
		if err != nil {
			return fmt.Errorf("%s: %w", key.Value, err)
		}
		byExternalID, err := form(item, externalID, "ByExternalId", "by externalId")
		if err != nil {
			return fmt.Errorf("%s: %w", key.Value, err)
		}
		externalPath := strings.Replace(key.Value, placeholder, "/external/{"+externalID.name+"}", 1)
		expanded = append(expanded, key, byID, scalar(externalPath), byExternalID)
	}
	paths.Content = expanded
	return nil
}

// parameter is a path parameter of components.parameters.
type parameter struct{ component, name string }

// pathParameter resolves the component that x-both-forms names for a form.
func pathParameter(parameters, forms *yaml.Node, form string) (parameter, error) {
	component := lookup(forms, form)
	if component == nil || component.Kind != yaml.ScalarNode {
		return parameter{}, fmt.Errorf("x-both-forms needs %s: a components.parameters name", form)
	}
	declared := lookup(parameters, component.Value)
	name, in := lookup(declared, "name"), lookup(declared, "in")
	if name == nil || in == nil || in.Value != "path" {
		return parameter{}, fmt.Errorf("x-both-forms %s: %s is not a path parameter in components.parameters", form, component.Value)
	}
	return parameter{component: component.Value, name: name.Value}, nil
}

// methods are the keys of a path item that hold an operation.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// form is a copy of item that takes p as its first path parameter, with
// suffix appended to each operationId and {by} in each summary read as by.
func form(item *yaml.Node, p parameter, suffix, by string) (*yaml.Node, error) {
	out := clone(item)
	ref := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("$ref"), scalar("#/components/parameters/" + p.component)}}
	if list := lookup(out, "parameters"); list != nil {
		list.Content = slices.Insert(list.Content, 0, ref)
	} else {
		out.Content = slices.Insert(out.Content, 0, scalar("parameters"), &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{ref}})
	}
	for i := 0; i < len(out.Content); i += 2 {
		method, op := out.Content[i].Value, out.Content[i+1]
		if !slices.Contains(methods, method) {
			continue
		}
		operationID, summary := lookup(op, "operationId"), lookup(op, "summary")
		if operationID == nil {
			return nil, fmt.Errorf("%s has no operationId", method)
		}
		if summary == nil || !strings.Contains(summary.Value, "{by}") {
			return nil, fmt.Errorf("%s: the summary must say {by}, so that the two forms read differently", method)
		}
		operationID.Value += suffix
		summary.Value = strings.ReplaceAll(summary.Value, "{by}", by)
	}
	return out, nil
}

// writeJSON writes n as compact JSON, keeping the order of mapping keys.
func writeJSON(w *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		w.WriteByte('{')
		seen := map[string]bool{}
		for i := 0; i < len(n.Content); i += 2 {
			key := n.Content[i]
			if key.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a key that is not a string", key.Line)
			}
			if seen[key.Value] {
				return fmt.Errorf("line %d: %s is defined twice", key.Line, key.Value)
			}
			seen[key.Value] = true
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeValue(w, key.Value); err != nil {
				return err
			}
			w.WriteByte(':')
			if err := writeJSON(w, n.Content[i+1]); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	case yaml.SequenceNode:
		w.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeJSON(w, item); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		return writeValue(w, v)
	default:
		// Anchors would let a source share fragments outside $ref, which
		// OpenAPI readers of the sources would not follow.
		return fmt.Errorf("line %d: anchors and aliases are not supported; use $ref", n.Line)
	}
	return nil
}

// writeValue writes one JSON value, leaving <, > and & as they are: the
// document is served as JSON, never embedded in HTML.
func writeValue(w *bytes.Buffer, v any) error {
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return err
	}
	w.Truncate(w.Len() - 1) // Encode's newline
	return nil
}

// lookup is the value of key in the mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// remove deletes key from the mapping m and returns its value, or nil.
func remove(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			value := m.Content[i+1]
			m.Content = slices.Delete(m.Content, i, i+2)
			return value
		}
	}
	return nil
}

func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = clone(child)
	}
	return &c
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}
