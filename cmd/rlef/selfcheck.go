package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/internal/selfcheck"
	"github.com/rlef/rlef/sandbox"
)

func newSelfcheckCmd() *cobra.Command {
	var (
		sf     sandboxFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "selfcheck",
		Short: "Report the host's isolation and judge the built-in benchmark end to end",
		Long: `Checks an installation without network or model server: reports what isolation
the host supports, runs a few hostile programs to confirm it holds, judges every
built-in problem's reference solutions (must pass) and known-incorrect ones (must
fail), and plays the RLEF protocol with a scripted policy that answers wrongly,
reads the feedback and fixes its code. Exits non-zero if anything fails.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			probe := sandbox.Probe()
			if !asJSON {
				fmt.Fprintf(out, "Host:\n%s\n", indent(probe.String()))
			}
			pool, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			if !asJSON {
				fmt.Fprintf(out, "Sandbox in use (%d slots):\n%s\n", pool.Slots(), indent(pool.Isolation().String()))
			}
			log := out
			if asJSON {
				log = nil
			}
			rep, err := selfcheck.Run(ctx, pool, log)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(out, "\n%d checks, %d failed, in %s\n", len(rep.Checks), len(rep.Failed()), rep.Elapsed.Round(1e7))
			}
			if !rep.OK() {
				return exitError{code: 1, msg: fmt.Sprintf("self-check failed (%d checks)", len(rep.Failed()))}
			}
			if !asJSON {
				fmt.Fprintln(out, "self-check passed")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	sf.register(cmd.Flags(), 0)
	return cmd
}

func indent(s string) string {
	out := ""
	for _, line := range splitLines(s) {
		out += "  " + line + "\n"
	}
	return out
}

func splitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			lines = append(lines, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}
