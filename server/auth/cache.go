package auth

import (
	"sync"
	"time"
)

// tokenCache remembers tokens that passed every check, keyed by the SHA-256
// of the raw token (the token itself is never stored, so a heap dump does not
// leak credentials). Partners reuse one token for up to a year, so almost
// every request is a hit that costs a hash and a map lookup instead of an RSA
// verification and a JSON decode.
//
// An entry is usable while all of these hold:
//   - now <= notAfter, the token's exp plus the leeway: exactly the rule of
//     the uncached path, so the cache never accepts what a cold verification
//     would refuse (nbf and iat only become easier to satisfy as time passes);
//   - the key-set generation is unchanged: any change in the issuer's keys
//     invalidates everything, so a retired key stops working at once;
//   - it was verified less than keyMaxAge ago, so that a year-long token
//     still goes back through the key set now and then and a key retired
//     without a replacement is noticed.
//
// Issuer, audience and roles are fixed per Verifier, so they cannot change
// under an entry. Eviction is least-recently-used under one mutex: the
// critical section is a map lookup and two pointer swaps, far below the cost
// of anything else on the request path.
type tokenCache struct {
	mu       sync.Mutex
	capacity int
	entries  map[[32]byte]*cacheEntry
	head     cacheEntry // sentinel of a circular list, most recent first
}

type cacheEntry struct {
	key        [32]byte
	id         Identity
	notAfter   time.Time
	verifiedAt time.Time
	generation uint64
	prev, next *cacheEntry
}

// lookupResult says what the cache knows about a token.
type lookupResult int

const (
	cacheMiss    lookupResult = iota // verify from scratch
	cacheHit                         // valid: use the identity
	cacheExpired                     // verified earlier, now past exp plus leeway
)

func newTokenCache(capacity int) *tokenCache {
	c := &tokenCache{capacity: capacity, entries: make(map[[32]byte]*cacheEntry, min(capacity, 1024))}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// get returns a copy of the cached identity when the entry is still usable.
// Unusable entries are dropped so the slot is freed early.
func (c *tokenCache) get(key [32]byte, now time.Time, generation uint64) (Identity, lookupResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return Identity{}, cacheMiss
	}
	switch {
	case now.After(e.notAfter):
		c.remove(e)
		return Identity{}, cacheExpired
	case e.generation != generation || now.Sub(e.verifiedAt) >= keyMaxAge:
		c.remove(e)
		return Identity{}, cacheMiss
	}
	c.unlink(e)
	c.pushFront(e)
	return e.id, cacheHit
}

func (c *tokenCache) put(key [32]byte, id Identity, notAfter, now time.Time, generation uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.remove(e)
	}
	if len(c.entries) >= c.capacity {
		c.remove(c.head.prev)
	}
	e := &cacheEntry{key: key, id: id, notAfter: notAfter, verifiedAt: now, generation: generation}
	c.entries[key] = e
	c.pushFront(e)
}

func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *tokenCache) remove(e *cacheEntry) {
	c.unlink(e)
	delete(c.entries, e.key)
}

func (c *tokenCache) unlink(e *cacheEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
}

func (c *tokenCache) pushFront(e *cacheEntry) {
	e.prev = &c.head
	e.next = c.head.next
	c.head.next.prev = e
	c.head.next = e
}
