package fake

import (
	"bytes"
	"encoding/json"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// field is one member of an ordered JSON object.
type field struct {
	key string
	val any
}

// obj is a JSON object that keeps its members in order: Gson and Jackson
// write fields in declaration order, and a captured exchange should read like
// the real one. A member whose value is nil is a JSON null; whether it is
// written depends on the serializer being imitated (see withoutNulls).
type obj []field

// MarshalJSON writes the members in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// set replaces the member key or appends it, as Java's LinkedHashMap.put
// keeps a re-put key in its first position.
func (o obj) set(key string, val any) obj {
	for i := range o {
		if o[i].key == key {
			o[i].val = val
			return o
		}
	}
	return append(o, field{key, val})
}

// withoutNulls drops null members at every depth, as Gson (every success
// body) and 1.9+'s NON_NULL Jackson writer (error bodies) do; an error arg
// whose value is null thereby becomes {}.
func withoutNulls(v any) any {
	switch t := v.(type) {
	case obj:
		out := make(obj, 0, len(t))
		for _, f := range t {
			if f.val != nil {
				out = append(out, field{f.key, withoutNulls(f.val)})
			}
		}
		return out
	case []obj:
		out := make([]obj, len(t))
		for i, o := range t {
			out[i] = withoutNulls(o).(obj)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = withoutNulls(e)
		}
		return out
	}
	return v
}

// encodeSuccess writes a success body the way Gson does in every line:
// compact, nulls omitted.
func encodeSuccess(v any) []byte {
	return mustMarshal(withoutNulls(v))
}

// encodeError writes a Fineract error body. 1.9+ routes JAX-RS entities
// through a Jackson mapper with indentOutput and NON_NULL; up to 1.8 Spring's
// default ObjectMapper wrote them compact with nulls kept ("value":null).
func encodeError(v upstream.Version, body any) []byte {
	if !jacksonErrorWriter(v) {
		return mustMarshal(body)
	}
	var b bytes.Buffer
	// Indent cannot fail on the output of Marshal.
	_ = json.Indent(&b, mustMarshal(withoutNulls(body)), "", "  ")
	return b.Bytes()
}

// mustMarshal marshals values built by this package from strings, numbers,
// dates and nested objects, which cannot fail.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("fake: marshalling a response: " + err.Error())
	}
	return b
}

// optString is s, or nil (absent) when empty.
func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// optDate is d, or nil (absent) when zero.
func optDate(d wire.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}
