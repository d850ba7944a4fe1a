package postgres

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPoolConfig(t *testing.T) {
	ca := writeCA(t)
	pc, err := poolConfig("postgres://parley:s3cret@db.internal:5432/parley?sslmode=verify-full",
		Config{CAFile: ca, MaxConns: 12, MinConns: 2, MaxConnIdleTime: time.Minute, MaxConnLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if pc.MaxConns != 12 || pc.MinConns != 2 || pc.MaxConnIdleTime != time.Minute || pc.MaxConnLifetime != time.Hour {
		t.Fatalf("pool settings not applied: max %d min %d idle %v life %v",
			pc.MaxConns, pc.MinConns, pc.MaxConnIdleTime, pc.MaxConnLifetime)
	}
	tls := pc.ConnConfig.TLSConfig
	if tls == nil || tls.RootCAs == nil || tls.ServerName != "db.internal" || tls.InsecureSkipVerify {
		t.Fatalf("verify-full with CA file: TLS config %+v", tls)
	}
	if len(pc.ConnConfig.Fallbacks) != 0 {
		t.Fatalf("verify-full must not fall back to plaintext: %d fallbacks", len(pc.ConnConfig.Fallbacks))
	}

	for _, c := range []struct {
		name, url string
		cfg       Config
	}{
		{"missing CA file", "postgres://u:s3cret@h/db?sslmode=verify-full", Config{CAFile: "/nonexistent/ca.pem"}},
		{"min above max", "postgres://u:s3cret@h/db", Config{MaxConns: 2, MinConns: 5}},
		{"bad sslmode", "postgres://u:s3cret@h/db?sslmode=sometimes", Config{}},
		{"bad port", "postgres://u:s3cret@h:port/db", Config{}},
		{"bad option", "postgres://u:s3cret@h/db?pool_max_conns=many", Config{}},
	} {
		_, err := poolConfig(c.url, c.cfg)
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		t.Logf("%s: %v", c.name, err)
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("%s: error leaks the password: %v", c.name, err)
		}
	}
}
