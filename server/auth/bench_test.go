package auth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"lmsproxy/server/auth"
)

func benchVerifier(b *testing.B, cacheSize int) (*auth.Verifier, string) {
	clock := newClock()
	ti := newTestIssuer(b, clock)
	cfg := ti.config()
	cfg.CacheSize = cacheSize
	v := newVerifier(b, cfg, clock)
	require.NoError(b, v.Ready(context.Background()))
	return v, "Bearer " + ti.mint(b, nil)
}

// BenchmarkVerifyCold is a full check every time: parse, RSA verification,
// claims. Keys are loaded beforehand, as in steady state.
func BenchmarkVerifyCold(b *testing.B) {
	v, header := benchVerifier(b, -1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.VerifyHeader(context.Background(), header); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCached is the common case: a partner reusing its token.
func BenchmarkVerifyCached(b *testing.B) {
	v, header := benchVerifier(b, auth.DefaultCacheSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.VerifyHeader(context.Background(), header); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyCachedParallel(b *testing.B) {
	v, header := benchVerifier(b, auth.DefaultCacheSize)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.VerifyHeader(context.Background(), header); err != nil {
				b.Fatal(err)
			}
		}
	})
}
