package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// globalFlags are the options every subcommand understands.
type globalFlags struct {
	logLevel string
}

func newRootCmd() *cobra.Command {
	var g globalFlags
	root := &cobra.Command{
		Use:           "rlef",
		Short:         "Ground code LLMs in execution feedback (RLEF): execute, judge, evaluate, serve",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
				return err
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
			return nil
		},
	}
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	// Subcommands; keep one constructor per file.
	root.AddCommand(
		newExecCmd(),
		newBenchCmd(),
		newDataCmd(),
		newEvalCmd(),
		newSelfcheckCmd(),
		newReportCmd(),
		newCompareCmd(),
		newServeCmd(),
		newJudgeCmd(),
		newLabCmd(),
		newTrainCmd(),
		newWorkerCmd(),
		newStatusCmd(),
	// rlef:subcommands
	)
	return root
}
