package main

import (
	"encoding/json"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dist"
)

func newStatusCmd() *cobra.Command {
	var (
		nf     natsFlags
		asJSON bool
		watch  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "status --nats URL",
		Short: "Show a cluster's workers, queue depth, throughput and failures",
		Long: `Prints the cluster's queue (jobs waiting, running, redelivered after a worker
died or failed), its live workers (slots, load, jobs per second over the last
minute, jobs done, attempts failed, infrastructure failures, last heartbeat)
and the totals. --watch repeats every interval; --json prints one object.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			nc, c, err := nf.connectOnly(ctx, "rlef status", false)
			if err != nil {
				return err
			}
			defer nc.Close()
			for {
				st, err := dist.Status(ctx, c)
				if err != nil {
					return err
				}
				if asJSON {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					if err := enc.Encode(st); err != nil {
						return err
					}
				} else {
					st.Format(cmd.OutOrStdout(), time.Now())
				}
				if watch <= 0 {
					return nil
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(watch):
				}
				if !asJSON {
					cmd.Println()
				}
			}
		},
	}
	fs := cmd.Flags()
	nf.register(fs, false)
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	fs.DurationVar(&watch, "watch", 0, "repeat every interval (e.g. 2s)")
	_ = cmd.MarkFlagRequired("nats")
	return cmd
}
