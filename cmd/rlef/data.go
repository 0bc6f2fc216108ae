package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dataset"
)

// newDataCmd groups the benchmark-data subcommands.
func newDataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "List, download and inspect benchmark data",
		Long: `Benchmark data comes from --data PATH (a file, or a directory holding the
canonical file names), else from $` + dataset.EnvDataDir + `, else from the download cache
(` + "`rlef data fetch`" + `, default ` + dataset.DefaultCacheDir() + `).`,
	}
	cmd.AddCommand(newDataListCmd(), newDataFetchCmd(), newDataShowCmd())
	cmd.AddCommand(newDataVerifyCmd())
	return cmd
}

func newDataListCmd() *cobra.Command {
	var opts dataset.LoadOptions
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the benchmarks and where their data would come from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			type row struct {
				dataset.BenchmarkInfo
				Location dataset.Location `json:"location"`
				Error    string           `json:"error,omitempty"`
			}
			var rows []row
			for _, b := range dataset.Benchmarks() {
				r := row{BenchmarkInfo: b}
				loc, err := dataset.Locate(b.Name, opts)
				if err != nil {
					r.Error = err.Error()
				}
				r.Location = loc
				rows = append(rows, r)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tDATA\tFROM\tWHERE\tDESCRIPTION")
			for _, r := range rows {
				status, where := "missing", r.Location.Dir
				switch {
				case r.Error != "":
					status, where = "error", r.Error
				case r.Location.Found:
					status = "ok"
					if len(r.Location.Files) > 0 {
						where = strings.Join(r.Location.Files, ", ")
					}
				case r.Fetchable:
					status = "fetchable"
				}
				name := r.Name
				if len(r.Aliases) > 0 {
					name += " (" + strings.Join(r.Aliases, ", ") + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, status, r.Location.Source, where, r.Description)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Path, "data", "", "benchmark file or directory of benchmark files")
	f.StringVar(&opts.CacheDir, "cache", "", "download cache directory (default "+dataset.DefaultCacheDir()+")")
	f.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return cmd
}

func newDataFetchCmd() *cobra.Command {
	var (
		cacheDir string
		opts     dataset.FetchOptions
		quiet    bool
	)
	cmd := &cobra.Command{
		Use:   "fetch NAME",
		Short: "Download a benchmark's public files into the cache",
		Long: `Download a benchmark's public files from their canonical locations into the
cache, verifying pinned sha256 digests (or recording the digest of the first
download in manifest.json and verifying against it later). Files already
present and intact are not downloaded again. Known benchmarks: ` + strings.Join(dataset.Names(), ", ") + ".",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !quiet {
				opts.Progress = cmd.ErrOrStderr()
			}
			paths, err := dataset.Fetch(cmd.Context(), args[0], cacheDir, opts)
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cacheDir, "cache", "", "download cache directory (default "+dataset.DefaultCacheDir()+")")
	f.StringVar(&opts.Split, "split", "", "split to fetch (codecontests: test, valid, train; apps, taco: test, train)")
	f.StringVar(&opts.Version, "version", "", "version to fetch (humaneval+: v0.1.10, v0.1.9, mini; livecodebench: release_v1..release_v6)")
	f.StringVar(&opts.BaseURL, "base-url", "", "download from this mirror (scheme://host[/prefix]) instead of the canonical hosts")
	f.BoolVar(&opts.Force, "force", false, "download again even if cached, accepting changed upstream files that have no pinned digest")
	f.BoolVar(&quiet, "quiet", false, "no progress bars")
	return cmd
}

func newDataShowCmd() *cobra.Command {
	var (
		opts dataset.LoadOptions
		id   string
	)
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a benchmark (or one problem with --id) as JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := dataset.Load(cmd.Context(), args[0], opts)
			if err != nil {
				return err
			}
			var v any = set
			if id != "" {
				p, ok := set.Lookup(id)
				if !ok {
					return fmt.Errorf("benchmark %s has no problem %q", set.Name, id)
				}
				v = p
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(v)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Path, "data", "", "benchmark file or directory of benchmark files")
	f.StringVar(&opts.CacheDir, "cache", "", "download cache directory (default "+dataset.DefaultCacheDir()+")")
	f.StringVar(&opts.Split, "split", "", "split (codecontests: test, valid, train; apps, taco: test, train)")
	f.StringVar(&opts.Version, "version", "", "version (humaneval+: v0.1.10, v0.1.9, mini; livecodebench: release_v1..release_v6)")
	f.StringVar(&id, "id", "", "print only this problem")
	return cmd
}
