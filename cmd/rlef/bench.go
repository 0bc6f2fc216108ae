package main

import "github.com/spf13/cobra"

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure rlef's performance against its baselines",
	}
	cmd.AddCommand(newBenchSandboxCmd())
	cmd.AddCommand(newBenchServeCmd())
	cmd.AddCommand(newBenchTrainCmd())
	cmd.AddCommand(newBenchJudgeCmd())
	return cmd
}
