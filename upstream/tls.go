package upstream

import (
	"crypto/x509"
	"fmt"
	"os"
)

// LoadCAFile reads a PEM bundle of certificate authorities for an https
// upstream and adds them to the system's: Fineract ships with a
// self-signed certificate, which no system pool trusts, while a gateway in
// front of it may use a public one. A file that cannot be read or holds no
// certificate is an error, so a mistyped path fails at start-up rather than
// on the first partner request.
func LoadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading CA bundle: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system pool (some minimal images): the bundle alone
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s holds no PEM certificate", path)
	}
	return pool, nil
}
