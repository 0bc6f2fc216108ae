package dist

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnectConfig says how to reach a NATS server.
type ConnectConfig struct {
	// URL is one server URL or a comma-separated list
	// (nats://host:4222, tls://host:4222).
	URL string
	// Server, when set, is an embedded server reached in-process (URL is
	// then ignored).
	Server *Server
	// Name identifies the connection in the server's monitoring.
	Name string
	Auth Auth
	// TLS: CAFile verifies the server; CertFile and KeyFile are a client
	// certificate for servers that require one.
	TLS TLSFiles
	// Retry keeps trying when the server cannot be reached at first (a
	// worker started before its server); without it Connect fails at
	// once.
	Retry  bool
	Logger *slog.Logger
}

// Connect connects to NATS. The connection reconnects forever: work in
// flight waits for the server to come back rather than failing.
func Connect(cfg ConnectConfig) (*nats.Conn, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	opts := []nats.Option{
		nats.Name(cfg.Name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second), nats.RetryOnFailedConnect(cfg.Retry),
		nats.ReconnectBufSize(64 << 20), nats.PingInterval(5 * time.Second), nats.MaxPingsOutstanding(3),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				logger.Warn("nats: disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { logger.Info("nats: reconnected", "url", nc.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			logger.Warn("nats: error", "subject", subject, "err", err)
		}),
	}
	auth, err := clientAuth(cfg.Auth)
	if err != nil {
		return nil, err
	}
	opts = append(opts, auth...)
	if cfg.TLS.CAFile != "" {
		opts = append(opts, nats.RootCAs(cfg.TLS.CAFile))
	}
	if cfg.TLS.CertFile != "" || cfg.TLS.KeyFile != "" {
		if cfg.TLS.CertFile == "" || cfg.TLS.KeyFile == "" {
			return nil, errors.New("nats tls: a client certificate needs both --nats-tls-cert and --nats-tls-key")
		}
		opts = append(opts, nats.ClientCert(cfg.TLS.CertFile, cfg.TLS.KeyFile))
	}
	url := cfg.URL
	if cfg.Server != nil {
		// In-process connections skip TLS; a tls:// URL would ask for it.
		opts = append(opts, nats.InProcessServer(cfg.Server.ns))
		url = "nats://" + cfg.Server.Addr().String()
	}
	if url == "" {
		return nil, errors.New("nats: no server URL")
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to nats at %s: %w", url, err)
	}
	return nc, nil
}

func clientAuth(a Auth) ([]nats.Option, error) {
	switch {
	case a.Creds != "":
		return []nats.Option{nats.UserCredentials(a.Creds)}, nil
	case a.NKeySeed != "":
		o, err := nats.NkeyOptionFromSeed(a.NKeySeed)
		if err != nil {
			return nil, fmt.Errorf("nats nkey %s: %w", a.NKeySeed, err)
		}
		return []nats.Option{o}, nil
	case a.User != "":
		return []nats.Option{nats.UserInfo(a.User, a.Password)}, nil
	case a.Token != "":
		return []nats.Option{nats.Token(a.Token)}, nil
	}
	return nil, nil
}
