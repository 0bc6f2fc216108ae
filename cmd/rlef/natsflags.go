package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/pflag"

	"github.com/rlef/rlef/dist"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/server"
)

// natsFlags are the options of commands that join a cluster (--nats) or,
// for serve, start one (--nats-listen).
type natsFlags struct {
	fs                       *pflag.FlagSet
	url                      string
	listen, store            string
	creds, nkey              string
	user, password           string
	tlsCert, tlsKey, tlsCA   string
	ackWait                  time.Duration
	attempts                 int
	passwordEnv, tokenEnvVar string
}

func (f *natsFlags) register(fs *pflag.FlagSet, canStart bool) {
	f.fs = fs
	fs.StringVar(&f.url, "nats", "", "join the cluster at this NATS URL (nats://HOST:4222; comma-separated for several servers): runs and judgings go to its workers")
	if canStart {
		fs.StringVar(&f.listen, "nats-listen", "", "start an embedded NATS JetStream server on HOST:PORT that workers join (rlef worker --nats nats://HOST:PORT)")
		fs.StringVar(&f.store, "nats-store", "", "JetStream's directory for the embedded server (default $XDG_DATA_HOME/rlef/nats); accepted jobs survive a restart")
		fs.DurationVar(&f.ackWait, "nats-ack-wait", 10*time.Second, "a job held this long without progress goes to another worker (when this server creates the cluster)")
		fs.IntVar(&f.attempts, "nats-attempts", 3, "failed attempts that make a job an infrastructure failure (when this server creates the cluster)")
	}
	fs.StringVar(&f.creds, "nats-creds", "", "NATS credentials file (JWT and NKey seed)")
	fs.StringVar(&f.nkey, "nats-nkey", "", "file holding an NKey seed")
	fs.StringVar(&f.user, "nats-user", "", "NATS user")
	fs.StringVar(&f.password, "nats-password", "", "NATS password (visible in ps; prefer --nats-password-env)")
	fs.StringVar(&f.passwordEnv, "nats-password-env", "NATS_PASSWORD", "environment variable holding the NATS password when --nats-password is not given")
	fs.StringVar(&f.tokenEnvVar, "nats-token-env", "", "environment variable holding a NATS token")
	fs.StringVar(&f.tlsCert, "nats-tls-cert", "", "TLS certificate (the embedded server's, or a client certificate)")
	fs.StringVar(&f.tlsKey, "nats-tls-key", "", "TLS key for --nats-tls-cert")
	fs.StringVar(&f.tlsCA, "nats-tls-ca", "", "CA that signed the server's certificate (for the embedded server: the clients')")
}

// enabled reports whether a cluster is in use.
func (f *natsFlags) enabled() bool { return f.url != "" || f.listen != "" }

func (f *natsFlags) auth() (dist.Auth, error) {
	a := dist.Auth{Creds: f.creds, NKeySeed: f.nkey, User: f.user}
	if f.user != "" {
		if a.Password = f.password; a.Password == "" {
			a.Password = os.Getenv(f.passwordEnv)
		}
	}
	if f.tokenEnvVar != "" {
		if a.Token = os.Getenv(f.tokenEnvVar); a.Token == "" {
			return a, fmt.Errorf("--nats-token-env %s: the variable is empty or unset", f.tokenEnvVar)
		}
	}
	n := 0
	for _, set := range []bool{a.Creds != "", a.NKeySeed != "", a.User != "", a.Token != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return a, errors.New("give one of --nats-creds, --nats-nkey, --nats-user and --nats-token-env")
	}
	return a, nil
}

// cluster is a joined (or started) cluster: the connection, a client, and
// the worker serving the local pool when there is one.
type cluster struct {
	srv    *dist.Server
	nc     *nats.Conn
	c      *dist.Cluster
	client *dist.Client
	pool   *sandbox.Pool
	stop   func()
}

// join connects to the cluster (starting the embedded server for
// --nats-listen) and, unless --slots 0, serves a local pool as one of its
// workers.
func (f *natsFlags) join(ctx context.Context, sf *sandboxFlags, opts judge.Options) (*cluster, error) {
	auth, err := f.auth()
	if err != nil {
		return nil, err
	}
	tls := dist.TLSFiles{CertFile: f.tlsCert, KeyFile: f.tlsKey, CAFile: f.tlsCA}
	cl := &cluster{}
	ok := false
	defer func() {
		if !ok {
			cl.Close()
		}
	}()
	cc := dist.ConnectConfig{URL: f.url, Name: "rlef", Auth: auth, Logger: slog.Default()}
	if f.listen != "" {
		if f.url != "" {
			return nil, errors.New("give --nats (join a cluster) or --nats-listen (start one), not both")
		}
		store := f.store
		if store == "" {
			store = defaultNATSStore()
		}
		if cl.srv, err = dist.StartServer(dist.ServerConfig{Listen: f.listen, StoreDir: store, Auth: auth, TLS: tls, Logger: slog.Default()}); err != nil {
			return nil, err
		}
		if host, _, _ := net.SplitHostPort(f.listen); auth == (dist.Auth{}) && !isLoopback(host) {
			slog.Warn("NATS listens beyond this machine without credentials: anyone who reaches it can submit jobs and read results (give --nats-user, --nats-nkey or --nats-token-env, and TLS)", "listen", f.listen)
		}
		cc.Server = cl.srv
	} else {
		cc.TLS = tls
	}
	if cl.nc, err = dist.Connect(cc); err != nil {
		return nil, err
	}
	if cl.c, err = dist.Open(ctx, cl.nc, dist.Config{AckWait: f.ackWait, MaxAttempts: f.attempts}); err != nil {
		return nil, err
	}
	if cl.client, err = dist.NewClient(ctx, cl.c, dist.ClientOptions{Judge: opts, Logger: slog.Default()}); err != nil {
		return nil, err
	}
	if f.fs.Changed("slots") && sf.slots == 0 {
		ok = true
		return cl, nil // only dispatches
	}
	if cl.pool, err = sf.open(ctx); err != nil {
		return nil, err
	}
	local := judge.Options{Logger: slog.Default()}
	if sf.cacheDir != "" {
		local.CacheDir = filepath.Join(sf.cacheDir, "judge")
	}
	w, err := dist.NewWorker(cl.c, dist.WorkerConfig{Executor: dist.NewPoolExecutor(cl.pool, local), Logger: slog.Default()})
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(wctx); err != nil {
			slog.Error("local worker stopped", "err", err)
		}
	}()
	cl.stop = func() { cancel(); <-done }
	ok = true
	return cl, nil
}

// Close stops the local worker, the pool, the client and the embedded
// server.
func (cl *cluster) Close() {
	if cl.stop != nil {
		cl.stop()
	}
	if cl.client != nil {
		cl.client.Close()
	}
	if cl.pool != nil {
		cl.pool.Close()
	}
	if cl.nc != nil {
		_ = cl.nc.Drain()
	}
	if cl.srv != nil {
		cl.srv.Shutdown()
	}
}

// describe says what the cluster is, for banners.
func (cl *cluster) describe() string {
	where := "joined " + cl.nc.ConnectedUrlRedacted()
	if cl.srv != nil {
		where = "started NATS JetStream on " + cl.srv.Addr().String()
	}
	local := "dispatching only (--slots 0)"
	if cl.pool != nil {
		local = fmt.Sprintf("a local worker with %d sandbox slots, isolation %s", cl.pool.Slots(), cl.pool.Isolation().Mode)
	}
	return fmt.Sprintf("cluster: %s; %s", where, local)
}

// JetStream is the cluster's JetStream (for the episode bucket).
func (cl *cluster) JetStream() jetstream.JetStream { return cl.c.JetStream() }

// judging is where a command's judgings go: a local judge, or a cluster.
type judging struct {
	local *judge.Judge
	cl    *cluster
}

// openJudging starts a local pool and judge, or joins the cluster the
// flags name.
func (f *natsFlags) openJudging(ctx context.Context, sf *sandboxFlags, opts judge.Options) (*judging, error) {
	if !f.enabled() {
		j, err := sf.openJudge(ctx, opts)
		if err != nil {
			return nil, err
		}
		return &judging{local: j}, nil
	}
	cl, err := f.join(ctx, sf, opts)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "rlef:", cl.describe())
	return &judging{cl: cl}, nil
}

// Judger judges.
func (j *judging) Judger() episode.Judger {
	if j.cl != nil {
		return j.cl.client
	}
	return j.local
}

// Parser extracts the longest parseable code.
func (j *judging) Parser() func(ctx context.Context, text string) (string, error) {
	if j.cl != nil {
		return j.cl.client.Parse
	}
	return episode.SandboxParser(j.local.Pool())
}

// Batch judges tasks (judge.Judge.Batch's contract).
func (j *judging) Batch(ctx context.Context, tasks []judge.Task, workers int, done func(i int, r *judge.Result, err error) error) error {
	if j.cl != nil {
		return j.cl.client.Batch(ctx, tasks, workers, done)
	}
	return j.local.Batch(ctx, tasks, workers, done)
}

// Close releases the pool or leaves the cluster.
func (j *judging) Close() {
	if j.cl != nil {
		j.cl.Close()
		return
	}
	j.local.Pool().Close()
}

// serving is what rlef serve runs on: a local pool and judge, or a
// cluster.
type serving struct {
	judging
}

// openServing is openJudging for rlef serve.
func (f *natsFlags) openServing(ctx context.Context, sf *sandboxFlags) (*serving, error) {
	j, err := f.openJudging(ctx, sf, judge.Options{})
	if err != nil {
		return nil, err
	}
	return &serving{*j}, nil
}

// apply fills the server configuration's pool, judge, dispatcher and
// episode bucket.
func (s *serving) apply(cfg *server.Config) {
	if s.cl == nil {
		cfg.Pool, cfg.Judge = s.local.Pool(), s.local
		return
	}
	cfg.Dispatch, cfg.EpisodeJS = s.cl.client, s.cl.JetStream()
}

// describe says what requests run on, for the banner.
func (s *serving) describe() string {
	if s.cl == nil {
		pool := s.local.Pool()
		return fmt.Sprintf("%d sandbox slots, isolation %s", pool.Slots(), pool.Isolation().Mode)
	}
	return s.cl.describe()
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultNATSStore is $XDG_DATA_HOME/rlef/nats, else ~/.local/share/rlef/nats.
func defaultNATSStore() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "rlef", "nats")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "rlef", "nats")
	}
	return filepath.Join(os.TempDir(), "rlef-nats")
}

// connectOnly connects to a cluster without joining it as a worker or a
// client (rlef status, rlef worker). With wait, it waits for a server
// that cannot be reached yet instead of failing.
func (f *natsFlags) connectOnly(ctx context.Context, name string, wait bool) (*nats.Conn, *dist.Cluster, error) {
	if f.url == "" {
		return nil, nil, errors.New("--nats URL is required")
	}
	auth, err := f.auth()
	if err != nil {
		return nil, nil, err
	}
	nc, err := dist.Connect(dist.ConnectConfig{URL: f.url, Name: name, Auth: auth, Logger: slog.Default(), Retry: wait,
		TLS: dist.TLSFiles{CertFile: f.tlsCert, KeyFile: f.tlsKey, CAFile: f.tlsCA}})
	if err != nil {
		return nil, nil, err
	}
	for {
		octx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, err := dist.Open(octx, nc, dist.Config{})
		cancel()
		if err == nil {
			return nc, c, nil
		}
		if !wait || ctx.Err() != nil {
			nc.Close()
			return nil, nil, err
		}
		slog.Warn("waiting for the NATS server", "url", f.url, "err", err)
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
		}
	}
}
