package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dist"
	"github.com/rlef/rlef/judge"
)

func newWorkerCmd() *cobra.Command {
	var (
		nf          natsFlags
		sf          sandboxFlags
		name        string
		concurrency int
		grace       time.Duration
	)
	cmd := &cobra.Command{
		Use:   "worker --nats URL [--slots N]",
		Short: "Add this machine's sandbox to a cluster: run the programs and judgings of rlef serve, eval and judge",
		Long: `Joins the cluster at --nats (started by rlef serve --nats-listen, or any NATS
server with JetStream), starts a sandbox pool (--slots, default one per CPU)
and takes program runs and judgings from the cluster's work queue until
SIGINT or SIGTERM; then it finishes the jobs it holds (within
--shutdown-timeout) and leaves. A worker killed outright loses nothing: its
jobs go to another worker. rlef status --nats URL lists the workers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			nc, c, err := nf.connectOnly(ctx, "rlef worker", true)
			if err != nil {
				if ctx.Err() != nil {
					return nil // stopped before the server came
				}
				return err
			}
			defer nc.Close()
			pool, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			local := judge.Options{Logger: slog.Default()}
			if sf.cacheDir != "" {
				local.CacheDir = filepath.Join(sf.cacheDir, "judge")
			}
			w, err := dist.NewWorker(c, dist.WorkerConfig{Executor: dist.NewPoolExecutor(pool, local), Name: name,
				Concurrency: concurrency, Grace: grace, Logger: slog.Default()})
			if err != nil {
				return err
			}
			info := w.Info()
			fmt.Fprintf(cmd.ErrOrStderr(), "rlef worker %s: %d sandbox slots (isolation %s), %d jobs at once, cluster %s\n",
				w.ID(), info.Slots, info.Isolation, info.Concurrency, nc.ConnectedUrlRedacted())
			if err := w.Run(ctx); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "rlef worker %s: stopped after %d jobs\n", w.ID(), w.Info().Done)
			return nil
		},
	}
	fs := cmd.Flags()
	nf.register(fs, false)
	sf.register(fs, 0)
	fs.StringVar(&name, "name", "", "name shown by rlef status (default the host name)")
	fs.IntVar(&concurrency, "jobs", 0, "jobs taken at once (default twice the slots)")
	fs.DurationVar(&grace, "shutdown-timeout", time.Minute, "how long a stopping worker finishes the jobs it holds")
	_ = cmd.MarkFlagRequired("nats")
	return cmd
}
