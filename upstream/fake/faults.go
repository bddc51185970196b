package fake

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Fault is one misbehaviour of the upstream or of what stands in front of
// it (a load balancer, the network), applied to one request. Fields combine
// in this order: Delay first; then Status or ResetBefore, which answer
// without applying the request; else the request is applied and its answer
// is damaged as the remaining fields say. A Fault with only a Delay is
// served normally after it.
type Fault struct {
	// Delay holds the request before anything else happens; one longer than
	// the client waits is a stall. It ends early when the client goes away.
	Delay time.Duration
	// Status answers with this status and Body without applying the
	// request, as an overloaded upstream or a gateway does.
	Status int
	Body   string
	// RetryAfter, with Status, is sent as a Retry-After header (seconds).
	RetryAfter int
	// Location, with a 3xx Status, is sent as a Location header: a
	// redirect, as a load balancer or a misconfigured ingress answers
	// (http:// to https://, or to another host).
	Location string
	// ResetBefore closes the connection with a TCP reset before applying
	// the request or answering.
	ResetBefore bool
	// ResetAfter applies the request, then resets the connection without
	// answering: the write committed but the client cannot know.
	ResetAfter bool
	// Truncate sends the headers, announcing the full length, and half of
	// the body, then closes the connection.
	Truncate bool
	// Malformed sends half of the body, correctly framed: not JSON.
	Malformed bool
	// Drip sends the body one byte per Drip.
	Drip time.Duration
	// Pad appends Pad bytes of whitespace to the body: an oversized answer.
	Pad int
	// Replace sends this body, well-formed JSON, instead of the answer,
	// with the answer's status: a success that is not the answer asked for
	// ("null", "{}", another client's record), as a caching gateway or a
	// broken upstream may send.
	Replace string
}

// HTMLBadGateway is a load balancer's 502 page.
var HTMLBadGateway = Fault{Status: http.StatusBadGateway, Body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"}

// faults holds the injected faults. It has its own lock, because a delayed
// request must not hold the simulator's lock and stall everyone else.
type faults struct {
	mu     sync.Mutex
	queued []queuedFault
	always map[string]Fault // by method, "" for any
}

type queuedFault struct {
	method string
	fault  Fault
}

// InjectFaults queues faults for the next requests with method ("" for any
// method), one per request in order; once they are used up, requests are
// served normally again.
func (s *Server) InjectFaults(method string, seq ...Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for _, f := range seq {
		s.faults.queued = append(s.faults.queued, queuedFault{method: method, fault: f})
	}
}

// InjectFaultAlways applies f to every request with method ("" for any
// method), after any queued faults, until ClearFaults.
func (s *Server) InjectFaultAlways(method string, f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.always == nil {
		s.faults.always = map[string]Fault{}
	}
	s.faults.always[method] = f
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queued, s.faults.always = nil, nil
}

// next takes the fault for a request, if any.
func (f *faults) next(method string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, q := range f.queued {
		if q.method == "" || q.method == method {
			f.queued = append(f.queued[:i:i], f.queued[i+1:]...)
			return q.fault, true
		}
	}
	if fault, ok := f.always[method]; ok {
		return fault, true
	}
	fault, ok := f.always[""]
	return fault, ok
}

// serveFault serves one request under fault f.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.Delay > 0 {
		// Read the body first: only then does net/http watch the
		// connection and cancel r.Context() when the client goes away.
		r.Body = io.NopCloser(bytes.NewReader(readBody(r)))
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			s.record(r)
			return
		}
	}
	switch {
	case f.Status != 0:
		s.record(r)
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		if f.Location != "" {
			w.Header().Set("Location", f.Location)
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	case f.ResetBefore:
		s.record(r)
		reset(w)
		return
	case !f.ResetAfter && !f.Truncate && !f.Malformed && f.Drip == 0 && f.Pad == 0 && f.Replace == "":
		s.serve(w, r)
		return
	}
	rec := httptest.NewRecorder()
	s.serve(rec, r)
	body := rec.Body.Bytes()
	switch {
	case f.ResetAfter:
		reset(w)
	case f.Truncate:
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer conn.Close()
		_, _ = fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			rec.Code, http.StatusText(rec.Code), len(body))
		_, _ = buf.Write(body[:len(body)/2])
		_ = buf.Flush()
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body[:len(body)/2])
	case f.Replace != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write([]byte(f.Replace))
	case f.Drip > 0:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		rc := http.NewResponseController(w)
		for i := range body {
			_, _ = w.Write(body[i : i+1])
			if rc.Flush() != nil {
				return
			}
			select {
			case <-time.After(f.Drip):
			case <-r.Context().Done():
				return
			}
		}
	default: // Pad
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
		for n := f.Pad; n > 0; n -= len(padding) {
			_, _ = w.Write(padding[:min(n, len(padding))])
		}
	}
}

var padding = []byte(fmt.Sprintf("%4096s", ""))

// reset closes the client's connection with a TCP reset (SO_LINGER 0), so
// the client sees "connection reset by peer" rather than an orderly close.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// record logs a request that a fault answers without serving it, so that
// Requests counts every attempt that reached the simulator.
func (s *Server) record(r *http.Request) {
	raw := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logRequest(requestOf(r, raw))
}
