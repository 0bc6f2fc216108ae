package dist

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nkeys"
)

// The embedded server requires the credentials it was given, and clients
// that bring them connect: user and password, token, NKey, and TLS with
// a client certificate.
func TestEmbeddedServerAuth(t *testing.T) {
	dir := t.TempDir()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := kp.Seed()
	seedFile := filepath.Join(dir, "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	otherFile := filepath.Join(dir, "other.nk")
	if err := os.WriteFile(otherFile, otherSeed, 0o600); err != nil {
		t.Fatal(err)
	}
	serverTLS, clientTLS := writeTLS(t, dir)
	tests := []struct {
		name      string
		server    Auth
		tls, ctls TLSFiles
		good, bad Auth
	}{
		{"user and password", Auth{User: "rl", Password: "ef"}, TLSFiles{}, TLSFiles{}, Auth{User: "rl", Password: "ef"}, Auth{User: "rl", Password: "nope"}},
		{"token", Auth{Token: "s3cret"}, TLSFiles{}, TLSFiles{}, Auth{Token: "s3cret"}, Auth{}},
		{"nkey", Auth{NKeySeed: seedFile}, TLSFiles{}, TLSFiles{}, Auth{NKeySeed: seedFile}, Auth{NKeySeed: otherFile}},
		{"tls with client certificates", Auth{}, serverTLS, clientTLS, Auth{}, Auth{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := StartServer(ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Auth: tc.server, TLS: tc.tls, Logger: testLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			url := "nats://" + srv.Addr().String()
			if tc.tls.CertFile != "" {
				url = "tls://" + srv.Addr().String()
			}
			nc, err := Connect(ConnectConfig{URL: url, Auth: tc.good, TLS: tc.ctls, Logger: testLogger()})
			if err != nil {
				t.Fatalf("good credentials: %v", err)
			}
			nc.Close()
			bad := ConnectConfig{URL: url, Auth: tc.bad, Logger: testLogger()}
			if tc.tls.CertFile != "" {
				bad.TLS = TLSFiles{CAFile: tc.tls.CAFile} // no client certificate
			}
			if nc, err := Connect(bad); err == nil {
				nc.Close()
				t.Error("bad credentials connected")
			}
			// In-process connections (rlef serve's own) bring the same
			// credentials and skip TLS.
			nc, err = Connect(ConnectConfig{Server: srv, Auth: tc.good, Logger: testLogger()})
			if err != nil {
				t.Fatalf("in-process: %v", err)
			}
			nc.Close()
		})
	}
	if _, err := StartServer(ServerConfig{Listen: "127.0.0.1:0", StoreDir: dir, Auth: Auth{Creds: "x.creds"}}); err == nil {
		t.Error("an embedded server accepted JWT credentials it cannot check")
	}
	if _, err := StartServer(ServerConfig{Listen: "no-port", StoreDir: dir}); err == nil {
		t.Error("a listen address without a port was accepted")
	}
}

// writeTLS writes a CA, a server certificate for 127.0.0.1 and a client
// certificate, both signed by the CA, and returns the server's files (its
// certificate, and the CA its clients' certificates must come from) and
// the client's (its certificate, and the CA of the server's).
func writeTLS(t *testing.T, dir string) (server, client TLSFiles) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rlef test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(key)
		return write(name+".pem", "CERTIFICATE", der), write(name+"-key.pem", "EC PRIVATE KEY", kder)
	}
	caFile := write("ca.pem", "CERTIFICATE", caDER)
	cert, key := leaf("server", 2, x509.ExtKeyUsageServerAuth)
	ccert, ckey := leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return TLSFiles{CertFile: cert, KeyFile: key, CAFile: caFile}, TLSFiles{CertFile: ccert, KeyFile: ckey, CAFile: caFile}
}
