package postgres_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/store/postgres"
)

// serverCert returns the test server's certificate file and the DNS name it
// is issued for. Debian's PostgreSQL serves a self-signed "snakeoil"
// certificate for localhost, which is its own CA.
func serverCert(t *testing.T) (path, host string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), testenv.PostgresAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var ssl string
	if err := conn.QueryRow(t.Context(), `SHOW ssl`).Scan(&ssl); err != nil || ssl != "on" {
		t.Fatalf("test PostgreSQL must have ssl=on (Debian's default): %q, %v", ssl, err)
	}
	if err := conn.QueryRow(t.Context(), `SHOW ssl_cert_file`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s holds no PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.DNSNames) == 0 {
		t.Fatalf("%s names no DNS host", path)
	}
	return path, cert.DNSNames[0]
}

func withTLS(t *testing.T, raw, host, mode string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = net.JoinHostPort(host, u.Port())
	q := u.Query()
	q.Set("sslmode", mode)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestTLSVerifyFull(t *testing.T) {
	ctx := t.Context()
	caFile, host := serverCert(t)
	db := testenv.NewPostgresDB(t)

	s, err := postgres.Open(ctx, postgres.Config{URL: withTLS(t, db, host, "verify-full"), CAFile: caFile})
	if err != nil {
		t.Fatalf("verify-full against %s with its CA: %v", host, err)
	}
	defer s.Close()
	var encrypted bool
	if err := s.Pool().QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&encrypted); err != nil {
		t.Fatal(err)
	}
	if !encrypted {
		t.Fatal("verify-full connection is not encrypted")
	}

	// The certificate does not name 127.0.0.1: verify-full must refuse.
	if s, err := postgres.Open(ctx, postgres.Config{URL: withTLS(t, db, "127.0.0.1", "verify-full"), CAFile: caFile}); err == nil {
		s.Close()
		t.Fatal("verify-full accepted a certificate for another host name")
	} else {
		t.Logf("other host name refused: %v", err)
	}
	// A CA that did not sign the server's certificate: refused too.
	other := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(other, otherCA(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := postgres.Open(ctx, postgres.Config{URL: withTLS(t, db, host, "verify-full"), CAFile: other}); err == nil {
		s.Close()
		t.Fatal("verify-full accepted a server certificate from an unknown CA")
	} else {
		t.Logf("unknown CA refused: %v", err)
	}
}

// otherCA is a PEM certificate of a freshly made, unrelated CA.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
