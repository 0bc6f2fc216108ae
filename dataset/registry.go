package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Variant selects one file set of a benchmark: a split (CodeContests,
// APPS, TACO) and/or a version (HumanEval+, LiveCodeBench). Empty fields
// mean the benchmark's default.
type Variant struct {
	Split   string
	Version string
}

// BenchmarkInfo describes a benchmark name for listings.
type BenchmarkInfo struct {
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description"`
	// Dir is the subdirectory of a data directory or of the cache that
	// holds the benchmark's files (they are also found directly in a data
	// directory).
	Dir string `json:"dir,omitempty"`
	// Splits and Versions list the accepted values; the first is the
	// default.
	Splits   []string `json:"splits,omitempty"`
	Versions []string `json:"versions,omitempty"`
	// Fetchable reports whether Fetch can download the data.
	Fetchable bool `json:"fetchable"`
}

// benchmark is one registry entry.
type benchmark struct {
	BenchmarkInfo
	// candidates lists, in priority order, the file sets that hold the
	// data for a variant, relative to a data directory. Every name in a set
	// must exist; a name may be a glob pattern (it must match at least one
	// file) or a directory (APPS layout).
	candidates func(v Variant) [][]string
	// remote says what Fetch downloads for a variant; nil if nothing.
	remote func(v Variant) *remoteSpec
	// load reads a located file set.
	load func(paths []string, v Variant) (*Set, error)
}

// remoteSpec is what Fetch downloads.
type remoteSpec struct {
	files []RemoteFile
	// listing, when set, asks a HuggingFace dataset repository for the
	// files under a directory whose names start with a prefix (for splits
	// sharded into files with unpredictable names).
	listing *hfListing
}

// RemoteFile is one downloadable file.
type RemoteFile struct {
	// Name is the file name in the cache directory.
	Name string `json:"name"`
	// URL is the canonical location.
	URL string `json:"url"`
	// SHA256 is the pinned digest of the file's bytes, or "" when none is
	// known (the first download's digest is then recorded in the manifest).
	SHA256 string `json:"sha256,omitempty"`
}

// hfListing selects files of a HuggingFace dataset repository.
type hfListing struct {
	repo, dir, prefix, suffix string
}

const (
	hfBase        = "https://huggingface.co"
	githubRawBase = "https://raw.githubusercontent.com"
	githubBase    = "https://github.com"
)

// registry returns every benchmark. It is rebuilt on each call so there is
// no shared mutable state.
func registry() []*benchmark {
	return []*benchmark{
		{BenchmarkInfo: BenchmarkInfo{Name: "builtin", Description: "rlef's own 12 problems (6 stdin/stdout, 6 function-call), embedded in the binary"}},
		humanEvalBenchmark(),
		humanEvalPlusBenchmark(),
		mbppPlusBenchmark(),
		mbppBenchmark(),
		mbppSanitizedBenchmark(),
		codeContestsBenchmark(),
		liveCodeBenchBenchmark(),
		appsBenchmark(),
		tacoBenchmark(),
		customBenchmark(),
	}
}

// oneEach lists file sets of one file each, in priority order.
func oneEach(names ...string) func(Variant) [][]string {
	return func(Variant) [][]string {
		out := make([][]string, len(names))
		for i, n := range names {
			out[i] = []string{n}
		}
		return out
	}
}

// fixedRemote downloads the same files for every variant.
func fixedRemote(files ...RemoteFile) func(Variant) *remoteSpec {
	return func(Variant) *remoteSpec { return &remoteSpec{files: files} }
}

// evalPlusLoader loads an EvalPlus release file as the benchmark name.
func evalPlusLoader(name string) func([]string, Variant) (*Set, error) {
	return func(paths []string, _ Variant) (*Set, error) { return LoadEvalPlus(paths[0], name) }
}

// humanEvalBenchmark is OpenAI HumanEval.
func humanEvalBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "humaneval", Description: "OpenAI HumanEval, 164 problems; assert tests (check())", Dir: "humaneval"},
		candidates:    oneEach("HumanEval.jsonl.gz", "HumanEval.jsonl"),
		remote: fixedRemote(RemoteFile{Name: "HumanEval.jsonl.gz",
			URL:    githubRawBase + "/openai/human-eval/master/data/HumanEval.jsonl.gz",
			SHA256: "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef"}),
		load: func(p []string, _ Variant) (*Set, error) { return LoadHumanEval(p[0]) },
	}
}

// humanEvalPlusBenchmark is EvalPlus HumanEval+, in its releases.
func humanEvalPlusBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "humaneval+", Aliases: []string{"humanevalplus", "humaneval-plus"},
			Description: "EvalPlus HumanEval+, 164 problems; base tests for feedback, plus tests for the verdict",
			Dir:         "evalplus", Versions: []string{"v0.1.10", "v0.1.9", "mini"}},
		candidates: func(v Variant) [][]string {
			switch v.Version {
			case "v0.1.9":
				return [][]string{{"HumanEvalPlus-v0.1.9.jsonl.gz"}, {"HumanEvalPlus-v0.1.9.jsonl"}}
			case "mini":
				return [][]string{{"HumanEvalPlus-Mini.jsonl.gz"}, {"HumanEvalPlus-Mini-v0.1.10.jsonl.gz"}, {"HumanEvalPlus-Mini.jsonl"}}
			}
			return [][]string{{"HumanEvalPlus.jsonl.gz"}, {"HumanEvalPlus-v0.1.10.jsonl.gz"}, {"HumanEvalPlus.jsonl"}}
		},
		remote: func(v Variant) *remoteSpec {
			rel := githubBase + "/evalplus/humanevalplus_release/releases/download/"
			switch v.Version {
			case "v0.1.9":
				return &remoteSpec{files: []RemoteFile{{Name: "HumanEvalPlus-v0.1.9.jsonl.gz", URL: rel + "v0.1.9/HumanEvalPlus.jsonl.gz",
					SHA256: "e62f4130146963d969da64553f407a66e52d095adbfed4ee6733b4d59e14a3ed"}}}
			case "mini":
				return &remoteSpec{files: []RemoteFile{{Name: "HumanEvalPlus-Mini.jsonl.gz", URL: rel + "v0.1.10/HumanEvalPlus-Mini.jsonl.gz",
					SHA256: "91486741f1627101021fbe50523df08eebb5b0bf5e804b633dcd5ca3c14dbd2f"}}}
			}
			return &remoteSpec{files: []RemoteFile{{Name: "HumanEvalPlus.jsonl.gz", URL: rel + "v0.1.10/HumanEvalPlus.jsonl.gz",
				SHA256: "272720b90ac375502c8ed23cd791c2a93dfb22a911641a494da74a426c09f101"}}}
		},
		load: evalPlusLoader("humaneval+"),
	}
}

// mbppPlusBenchmark is EvalPlus MBPP+.
func mbppPlusBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "mbpp+", Aliases: []string{"mbppplus", "mbpp-plus"},
			Description: "EvalPlus MBPP+ v0.2.0, 378 problems; base tests for feedback, plus tests for the verdict",
			Dir:         "evalplus", Versions: []string{"v0.2.0"}},
		candidates: oneEach("MbppPlus.jsonl.gz", "MbppPlus-v0.2.0.jsonl.gz", "MbppPlus.jsonl"),
		remote: fixedRemote(RemoteFile{Name: "MbppPlus.jsonl.gz",
			URL:    githubBase + "/evalplus/mbppplus_release/releases/download/v0.2.0/MbppPlus.jsonl.gz",
			SHA256: "af43697e8791c4c149bdfd6b489d8b5412507551ac20e28a439f650b8225db63"}),
		load: evalPlusLoader("mbpp+"),
	}
}

// mbppBenchmark is Google MBPP, full.
func mbppBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "mbpp", Description: "Google MBPP (full), 974 problems; assert tests, first one public", Dir: "mbpp"},
		candidates:    oneEach("mbpp.jsonl"),
		remote: fixedRemote(RemoteFile{Name: "mbpp.jsonl",
			URL:    githubRawBase + "/google-research/google-research/master/mbpp/mbpp.jsonl",
			SHA256: "ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f"}),
		load: func(p []string, _ Variant) (*Set, error) { return LoadMBPP(p[0]) },
	}
}

// mbppSanitizedBenchmark is the hand-verified subset of Google MBPP.
func mbppSanitizedBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "mbpp-sanitized", Aliases: []string{"mbpp_sanitized", "sanitized-mbpp"},
			Description: "Google MBPP, hand-verified subset, 427 problems", Dir: "mbpp"},
		candidates: oneEach("sanitized-mbpp.json"),
		remote: fixedRemote(RemoteFile{Name: "sanitized-mbpp.json",
			URL:    githubRawBase + "/google-research/google-research/master/mbpp/sanitized-mbpp.json",
			SHA256: "ca95deaa9a01ef0a6f439f88bcf0dd3db3563d22f22aad6cae04ebb9a8d8c8e9"}),
		load: func(p []string, _ Variant) (*Set, error) { return LoadMBPPSanitized(p[0]) },
	}
}

// codeContestsBenchmark is DeepMind CodeContests, by split.
func codeContestsBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "codecontests", Aliases: []string{"code_contests", "code-contests"},
			Description: "DeepMind CodeContests (stdin/stdout; test 165, valid 117, train 13,328 problems)",
			Dir:         "codecontests", Splits: []string{"test", "valid", "train"}},
		candidates: func(v Variant) [][]string {
			switch v.Split {
			case "valid":
				return [][]string{{"valid-00000-of-00001-5e672c5751f060d3.parquet"}, {"valid-*.parquet"}, {"code_contests_valid.jsonl"}, {"valid.jsonl"}}
			case "train":
				return [][]string{{"train-*-of-*.parquet"}, {"code_contests_train.jsonl"}, {"train.jsonl"}}
			}
			return [][]string{{"test-00000-of-00001-9c49eeff30aacaa8.parquet"}, {"test-*.parquet"}, {"code_contests_test.jsonl"}, {"test.jsonl"},
				{"rllm_test_code_contests_165.json"}, {"code_contests.json"}}
		},
		remote: func(v Variant) *remoteSpec {
			base := hfBase + "/datasets/deepmind/code_contests/resolve/main/data/"
			switch v.Split {
			case "valid":
				return &remoteSpec{files: []RemoteFile{{Name: "valid-00000-of-00001-5e672c5751f060d3.parquet", URL: base + "valid-00000-of-00001-5e672c5751f060d3.parquet"}}}
			case "train":
				return &remoteSpec{listing: &hfListing{repo: "deepmind/code_contests", dir: "data", prefix: "train-", suffix: ".parquet"}}
			}
			return &remoteSpec{files: []RemoteFile{{Name: "test-00000-of-00001-9c49eeff30aacaa8.parquet", URL: base + "test-00000-of-00001-9c49eeff30aacaa8.parquet"}}}
		},
		load: func(p []string, _ Variant) (*Set, error) { return LoadCodeContestsFiles(p) },
	}
}

// liveCodeBenchBenchmark is LiveCodeBench code_generation_lite, by release, or rLLM's copy.
func liveCodeBenchBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "livecodebench", Aliases: []string{"lcb"},
			Description: "LiveCodeBench code_generation_lite (release_v5: 880 problems, 2023-05 to 2025-01)",
			Dir:         "livecodebench", Versions: []string{"release_v5", "release_v1", "release_v2", "release_v3", "release_v4", "release_v6"}},
		candidates: func(v Variant) [][]string {
			return [][]string{lcbFiles(v.Version), {"rllm_test_livecodebench_879.json"}, {"livecodebench.json"}}
		},
		remote: func(v Variant) *remoteSpec {
			spec := &remoteSpec{}
			for _, f := range lcbFiles(v.Version) {
				spec.files = append(spec.files, RemoteFile{Name: f, URL: hfBase + "/datasets/livecodebench/code_generation_lite/resolve/main/" + f})
			}
			return spec
		},
		load: func(p []string, v Variant) (*Set, error) {
			if len(p) == 1 && strings.EqualFold(filepath.Ext(p[0]), ".json") {
				return LoadLiveCodeBenchRLLM(p[0])
			}
			set, err := LoadLiveCodeBench(p...)
			if err == nil && len(p) > 1 {
				set.Version = lcbVersionName(v.Version) + ":" + set.Version
			}
			return set, err
		},
	}
}

// appsBenchmark is APPS, by split.
func appsBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "apps", Description: "APPS (hendrycks/apps via codeparrot/apps; test 5,000, train 5,000 problems)",
			Dir: "apps", Splits: []string{"test", "train"}},
		candidates: func(v Variant) [][]string {
			s := defaultString(v.Split, "test")
			return [][]string{{s + ".jsonl"}, {"APPS/" + s}, {s}, {"coderl/APPS/" + s}}
		},
		remote: func(v Variant) *remoteSpec {
			s := defaultString(v.Split, "test")
			return &remoteSpec{files: []RemoteFile{{Name: s + ".jsonl", URL: hfBase + "/datasets/codeparrot/apps/resolve/main/" + s + ".jsonl"}}}
		},
		load: func(p []string, _ Variant) (*Set, error) { return loadAPPSPath(p, "apps") },
	}
}

// tacoBenchmark is TACO, by split (APPS layout).
func tacoBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "taco", Description: "TACO (BAAI/TACO; test 1,000, train 25,443 problems), APPS layout",
			Dir: "taco", Splits: []string{"test", "train"}},
		candidates: func(v Variant) [][]string {
			s := defaultString(v.Split, "test")
			return [][]string{{s + ".jsonl"}, {s + "-*-of-*.parquet"}, {"ALL/" + s + "-*-of-*.parquet"}}
		},
		remote: func(v Variant) *remoteSpec {
			if v.Split == "train" {
				return &remoteSpec{listing: &hfListing{repo: "BAAI/TACO", dir: "ALL", prefix: "train-", suffix: ".parquet"}}
			}
			return &remoteSpec{files: []RemoteFile{{Name: "test-00000-of-00001.parquet", URL: hfBase + "/datasets/BAAI/TACO/resolve/main/ALL/test-00000-of-00001.parquet"}}}
		},
		load: func(p []string, _ Variant) (*Set, error) { return loadAPPSPath(p, "taco") },
	}
}

// customBenchmark is a file of problems in rlef's own format.
func customBenchmark() *benchmark {
	return &benchmark{
		BenchmarkInfo: BenchmarkInfo{Name: "custom", Description: "your own problems in rlef's JSONL format (docs/custom-format.md); pass --data FILE",
			Dir: "custom"},
		candidates: oneEach("custom.jsonl", "problems.jsonl"),
		load:       func(p []string, _ Variant) (*Set, error) { return LoadCustom(p[0]) },
	}
}

// lcbFiles lists the code_generation_lite files of a release (each
// release adds one file: release_vN is test.jsonl .. testN.jsonl).
func lcbFiles(version string) []string {
	n := 5
	if len(version) == len("release_v5") && strings.HasPrefix(version, "release_v") {
		if d := version[len(version)-1]; d >= '1' && d <= '6' {
			n = int(d - '0')
		}
	}
	files := []string{"test.jsonl"}
	for i := 2; i <= n; i++ {
		files = append(files, fmt.Sprintf("test%d.jsonl", i))
	}
	return files
}

func lcbVersionName(v string) string { return defaultString(v, "release_v5") }

func defaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// loadAPPSPath loads an APPS/TACO directory layout, JSONL file or parquet
// shards.
func loadAPPSPath(paths []string, name string) (*Set, error) {
	if st, err := os.Stat(paths[0]); err == nil && st.IsDir() {
		return LoadAPPSDir(paths[0], name)
	}
	if len(paths) == 1 {
		return LoadAPPSRows(paths[0], name)
	}
	return mergeSets(name, paths, func(p string) (*Set, error) { return LoadAPPSRows(p, name) })
}

// mergeSets loads several shards into one set. Ids are prefixed with the
// shard's index ("3/17"), since row-numbered ids repeat across shards.
func mergeSets(name string, paths []string, load func(string) (*Set, error)) (*Set, error) {
	var out *Set
	var shas []string
	for i, p := range paths {
		s, err := load(p)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = &Set{Name: name, PublicSuite: s.PublicSuite, PrivateSuite: s.PrivateSuite, PassNeedsPublic: s.PassNeedsPublic}
		}
		for _, prob := range s.Problems {
			prob.ID = fmt.Sprintf("%d/%s", i, prob.ID)
		}
		out.Problems = append(out.Problems, s.Problems...)
		shas = append(shas, strings.TrimPrefix(s.Version, "sha256:"))
	}
	out.Version = combinedVersion(shas)
	if err := out.BuildIndex(); err != nil {
		return nil, err
	}
	return out, nil
}

// lookupBenchmark resolves a name or alias ("" is builtin).
func lookupBenchmark(name string) (*benchmark, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		key = "builtin"
	}
	all := registry()
	for _, b := range all {
		if b.Name == key {
			return b, nil
		}
		for _, a := range b.Aliases {
			if a == key {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown benchmark %q; known benchmarks: %s", name, strings.Join(Names(), ", "))
}

// Names returns the canonical benchmark names, builtin first.
func Names() []string {
	all := registry()
	names := make([]string, 0, len(all))
	for _, b := range all {
		names = append(names, b.Name)
	}
	return names
}

// Benchmarks describes every benchmark.
func Benchmarks() []BenchmarkInfo {
	all := registry()
	out := make([]BenchmarkInfo, 0, len(all))
	for _, b := range all {
		info := b.BenchmarkInfo
		info.Fetchable = b.remote != nil
		out = append(out, info)
	}
	return out
}

// checkVariant rejects splits and versions the benchmark does not have.
func (b *benchmark) checkVariant(v Variant) error {
	if v.Split != "" && !contains(b.Splits, v.Split) {
		if len(b.Splits) == 0 {
			return fmt.Errorf("benchmark %s has no splits", b.Name)
		}
		return fmt.Errorf("benchmark %s: unknown split %q (known: %s)", b.Name, v.Split, strings.Join(b.Splits, ", "))
	}
	if v.Version != "" && !contains(b.Versions, v.Version) {
		if len(b.Versions) == 0 {
			return fmt.Errorf("benchmark %s has no versions", b.Name)
		}
		return fmt.Errorf("benchmark %s: unknown version %q (known: %s)", b.Name, v.Version, strings.Join(b.Versions, ", "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// findIn looks for the benchmark's files in dir and in dir/<b.Dir>; it
// returns the first complete candidate set.
func (b *benchmark) findIn(dir string, v Variant) ([]string, bool) {
	if b.candidates == nil || dir == "" {
		return nil, false
	}
	roots := []string{dir}
	if b.Dir != "" {
		roots = append(roots, filepath.Join(dir, b.Dir))
	}
	for _, root := range roots {
		for _, cand := range b.candidates(v) {
			if paths, ok := resolveCandidate(root, cand); ok {
				return paths, true
			}
		}
	}
	return nil, false
}

// resolveCandidate checks that every name (or glob) of cand exists under
// root.
func resolveCandidate(root string, cand []string) ([]string, bool) {
	var out []string
	for _, name := range cand {
		p := filepath.Join(root, filepath.FromSlash(name))
		if strings.ContainsAny(name, "*?[") {
			matches, err := filepath.Glob(p)
			if err != nil || len(matches) == 0 {
				return nil, false
			}
			sort.Strings(matches)
			out = append(out, matches...)
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return nil, false
		}
		out = append(out, p)
	}
	return out, len(out) > 0
}
