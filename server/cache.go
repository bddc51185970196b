package server

import (
	"context"
	"sync"
	"time"
)

// ttlCache keeps what read returned for a key for ttl. A failed read is
// not kept, so an unknown key costs a read each time and fills nothing.
// Concurrent misses may each read; the last one's value is kept.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	value V
	at    time.Time
}

func newTTLCache[K comparable, V any](ttl time.Duration, now func() time.Time) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, now: now, entries: map[K]ttlEntry[V]{}}
}

// get returns k's value, read anew once it is ttl old.
func (c *ttlCache[K, V]) get(ctx context.Context, k K, read func(context.Context) (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < c.ttl {
		return e.value, nil
	}
	v, err := read(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.entries[k] = ttlEntry[V]{value: v, at: c.now()}
	c.mu.Unlock()
	return v, nil
}
