package dist

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// ServerConfig configures an embedded NATS server with JetStream.
type ServerConfig struct {
	// Listen is HOST:PORT for clients (workers, other replicas); port 0
	// picks a free one.
	Listen string
	// StoreDir holds JetStream's files: jobs accepted survive a restart.
	StoreDir string
	// Auth, when set, is required from every client.
	Auth Auth
	// TLS, when CertFile is set, serves clients over TLS; with CAFile,
	// clients must present a certificate it signed.
	TLS TLSFiles
	// MaxPayload bounds a message (default 8 MiB; larger payloads go
	// through the object store).
	MaxPayload int32
	// Logger receives the server's log (default slog.Default()).
	Logger *slog.Logger
}

// Auth are client credentials. One of User (with Password), Token, NKey
// or Creds is used.
type Auth struct {
	User, Password string
	Token          string
	// NKeySeed is a file holding an NKey seed (the server derives the
	// public key from it).
	NKeySeed string
	// Creds is a JWT credentials file (clients only; an embedded server
	// cannot verify JWTs without an operator configuration).
	Creds string
}

// TLSFiles name PEM files.
type TLSFiles struct {
	CertFile, KeyFile, CAFile string
}

// Server is an embedded NATS server with JetStream.
type Server struct {
	ns *natsserver.Server
}

// StartServer starts an embedded server and waits until it accepts
// clients.
func StartServer(cfg ServerConfig) (*Server, error) {
	opts, err := serverOptions(cfg)
	if err != nil {
		return nil, err
	}
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	ns.SetLoggerV2(slogAdapter{logger.With("component", "nats")}, false, false, false)
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("nats server: not ready after 30 s (is the port in use or the store directory locked?)")
	}
	return &Server{ns: ns}, nil
}

func serverOptions(cfg ServerConfig) (*natsserver.Options, error) {
	host, portText, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("nats listen address %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("nats listen address %q: bad port", cfg.Listen)
	}
	if port == 0 {
		port = natsserver.RANDOM_PORT
	}
	if cfg.StoreDir == "" {
		return nil, errors.New("nats server: no store directory")
	}
	if err := os.MkdirAll(cfg.StoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("nats store: %w", err)
	}
	if cfg.MaxPayload <= 0 {
		cfg.MaxPayload = 8 << 20
	}
	opts := &natsserver.Options{
		ServerName: "rlef", Host: host, Port: port, JetStream: true, StoreDir: cfg.StoreDir,
		NoSigs: true, MaxPayload: cfg.MaxPayload, MaxPending: int64(cfg.MaxPayload) * 8,
	}
	if err := serverAuth(opts, cfg.Auth); err != nil {
		return nil, err
	}
	if cfg.TLS.CertFile != "" {
		tc, err := natsserver.GenTLSConfig(&natsserver.TLSConfigOpts{CertFile: cfg.TLS.CertFile, KeyFile: cfg.TLS.KeyFile,
			CaFile: cfg.TLS.CAFile, Verify: cfg.TLS.CAFile != ""})
		if err != nil {
			return nil, fmt.Errorf("nats tls: %w", err)
		}
		opts.TLSConfig, opts.TLS, opts.TLSTimeout = tc, true, 5
		opts.TLSVerify = cfg.TLS.CAFile != ""
	} else if cfg.TLS.KeyFile != "" || cfg.TLS.CAFile != "" {
		return nil, errors.New("nats tls: a key or CA without a certificate")
	}
	return opts, nil
}

func serverAuth(opts *natsserver.Options, a Auth) error {
	switch {
	case a.Creds != "":
		return errors.New("nats: an embedded server cannot check JWT credentials; use user and password, a token or an NKey (or run nats-server with an operator)")
	case a.NKeySeed != "":
		seed, err := os.ReadFile(a.NKeySeed)
		if err != nil {
			return fmt.Errorf("nats nkey: %w", err)
		}
		kp, err := nkeys.ParseDecoratedNKey(seed)
		if err != nil {
			return fmt.Errorf("nats nkey %s: %w", a.NKeySeed, err)
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return fmt.Errorf("nats nkey %s: %w", a.NKeySeed, err)
		}
		opts.Nkeys = []*natsserver.NkeyUser{{Nkey: pub}}
	case a.User != "":
		opts.Username, opts.Password = a.User, a.Password
	case a.Token != "":
		opts.Authorization = a.Token
	}
	return nil
}

// ClientURL is the URL clients on this machine connect to.
func (s *Server) ClientURL() string { return s.ns.ClientURL() }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ns.Addr() }

// NATS returns the server itself (for in-process connections).
func (s *Server) NATS() *natsserver.Server { return s.ns }

// Shutdown stops the server; JetStream's files stay for the next start.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// slogAdapter routes the server's log to slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Noticef(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Warnf(format string, v ...any)   { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Fatalf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Errorf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Debugf(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Tracef(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
