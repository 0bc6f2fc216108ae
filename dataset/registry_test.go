package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/shareddata"
)

func TestNames(t *testing.T) {
	want := "builtin humaneval humaneval+ mbpp+ mbpp mbpp-sanitized codecontests livecodebench apps taco custom"
	if got := strings.Join(Names(), " "); got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}
	for _, b := range Benchmarks() {
		if b.Description == "" {
			t.Errorf("%s has no description", b.Name)
		}
		if b.Fetchable != (b.Name != "builtin" && b.Name != "custom") {
			t.Errorf("%s: Fetchable = %v", b.Name, b.Fetchable)
		}
	}
}

func TestLoadUnknownNameListsKnownNames(t *testing.T) {
	_, err := Load(context.Background(), "humaneavl", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `unknown benchmark "humaneavl"`) || !strings.Contains(err.Error(), "humaneval+, mbpp+") {
		t.Fatalf("err = %v", err)
	}
	_, err = Load(context.Background(), "codecontests", LoadOptions{Split: "holdout", Path: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "test, valid, train") {
		t.Fatalf("unknown split: err = %v", err)
	}
	_, err = Load(context.Background(), "mbpp", LoadOptions{Version: "v9", Path: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "has no versions") {
		t.Fatalf("unknown version: err = %v", err)
	}
}

func TestLoadDefaultIsBuiltin(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	set, err := Load(context.Background(), "", LoadOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if set.Name != "builtin" || len(set.Problems) != 12 {
		t.Fatalf("got %s with %d problems", set.Name, len(set.Problems))
	}
	if _, ok := set.Lookup("builtin/lanterns"); !ok {
		t.Error("Lookup(builtin/lanterns) failed")
	}
}

// TestLoadFromSharedDataDir uses the shared data folder as RLEF_DATA_DIR:
// benchmark files are found in the benchmark's subdirectory.
func TestLoadFromSharedDataDir(t *testing.T) {
	dir := shareddata.Path(t)
	t.Setenv(EnvDataDir, dir)
	cache := t.TempDir()
	tests := []struct {
		name string
		opts LoadOptions
		n    int
	}{
		{"humaneval", LoadOptions{}, 164},
		{"humanevalplus", LoadOptions{Version: "mini"}, 164},
		{"mbpp+", LoadOptions{}, 378},
		{"mbpp", LoadOptions{}, 974},
		{"mbpp-sanitized", LoadOptions{}, 427},
		{"codecontests", LoadOptions{}, 165},
		{"lcb", LoadOptions{}, 879},
		{"apps", LoadOptions{Split: "train"}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.CacheDir = cache
			loc, err := Locate(tc.name, tc.opts)
			if err != nil || !loc.Found || loc.Source != "env" {
				t.Fatalf("Locate = %+v, %v", loc, err)
			}
			set, err := Load(context.Background(), tc.name, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Problems) != tc.n {
				t.Errorf("%d problems, want %d", len(set.Problems), tc.n)
			}
			if set.Name != loc.Benchmark || set.Problems[0].Benchmark != loc.Benchmark {
				t.Errorf("set name %q, benchmark %q, want %q", set.Name, set.Problems[0].Benchmark, loc.Benchmark)
			}
		})
	}
}

func TestLoadPathFileAndDir(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	src := shareddata.Path(t, "humaneval", "HumanEval.jsonl.gz")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	// A file with any name.
	file := filepath.Join(t.TempDir(), "he.jsonl.gz")
	os.WriteFile(file, data, 0o644)
	set, err := Load(context.Background(), "humaneval", LoadOptions{Path: file})
	if err != nil || len(set.Problems) != 164 {
		t.Fatalf("file: %v", err)
	}
	// A directory with the canonical name, directly inside.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "HumanEval.jsonl.gz"), data, 0o644)
	if set, err = Load(context.Background(), "humaneval", LoadOptions{Path: dir}); err != nil || len(set.Problems) != 164 {
		t.Fatalf("dir: %v", err)
	}
	// A directory without it: the error says what was looked for.
	empty := t.TempDir()
	_, err = Load(context.Background(), "humaneval", LoadOptions{Path: empty})
	if err == nil || !strings.Contains(err.Error(), "HumanEval.jsonl.gz") || !strings.Contains(err.Error(), "rlef data fetch humaneval") {
		t.Fatalf("missing: err = %v", err)
	}
	// A missing path is an error, not a fallback to the cache.
	if _, err := Load(context.Background(), "humaneval", LoadOptions{Path: filepath.Join(empty, "nope")}); err == nil {
		t.Fatal("missing --data path did not fail")
	}
}

func TestLoadCustomNeedsData(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	_, err := Load(context.Background(), "custom", LoadOptions{CacheDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "pass --data PATH") || strings.Contains(err.Error(), "fetch") {
		t.Fatalf("err = %v", err)
	}
	path := writeFile(t, "x.jsonl", `{"id": "a", "mode": "stdio", "public": [{"input": "1", "output": "1"}]}`)
	set, err := Load(context.Background(), "custom", LoadOptions{Path: path})
	if err != nil || set.Name != "custom" || len(set.Problems) != 1 || set.Problems[0].Benchmark != "custom" {
		t.Fatalf("set %v, err %v", set, err)
	}
	// A custom file that names itself keeps its name.
	named := writeFile(t, "y.jsonl", `{"rlef_set": {"name": "mine"}}`+"\n"+`{"id": "a", "mode": "stdio", "public": [{"input": "1", "output": "1"}]}`)
	if set, err = Load(context.Background(), "custom", LoadOptions{Path: named}); err != nil || set.Name != "mine" || set.Problems[0].Benchmark != "mine" {
		t.Fatalf("named set %v, err %v", set, err)
	}
}

// TestLoadFromCacheVerifiesManifest checks that a cached file is verified
// against the sha256 recorded when it was fetched.
func TestLoadFromCacheVerifiesManifest(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	cache := t.TempDir()
	dir := filepath.Join(cache, "custom")
	os.MkdirAll(dir, 0o755)
	content := `{"id": "a", "mode": "stdio", "public": [{"input": "1", "output": "1"}]}` + "\n"
	path := filepath.Join(dir, "custom.jsonl")
	os.WriteFile(path, []byte(content), 0o644)
	sum, _ := fileSHA256(path)
	m := &Manifest{Files: map[string]ManifestEntry{"custom.jsonl": {SHA256: sum}}}
	if err := m.write(dir); err != nil {
		t.Fatal(err)
	}
	loc, err := Locate("custom", LoadOptions{CacheDir: cache})
	if err != nil || loc.Source != "cache" || !loc.Found {
		t.Fatalf("Locate = %+v, %v", loc, err)
	}
	if _, err := Load(context.Background(), "custom", LoadOptions{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte(strings.Replace(content, `"1"}`, `"2"}`, 1)), 0o644)
	_, err = Load(context.Background(), "custom", LoadOptions{CacheDir: cache})
	if err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("tampered cache file: err = %v", err)
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := writeFile(t, "x.jsonl", `{"id": "a", "mode": "stdio", "public": [{"input": "1", "output": "1"}]}`)
	if _, err := Load(ctx, "custom", LoadOptions{Path: path}); err == nil {
		t.Fatal("canceled load succeeded")
	}
}

func TestLCBFiles(t *testing.T) {
	if got := strings.Join(lcbFiles("release_v3"), ","); got != "test.jsonl,test2.jsonl,test3.jsonl" {
		t.Errorf("release_v3 = %s", got)
	}
	if got := len(lcbFiles("")); got != 5 {
		t.Errorf("default release has %d files, want 5 (release_v5)", got)
	}
}

func TestSetLookupAndFilter(t *testing.T) {
	set := &Set{Name: "s", Problems: []*Problem{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	if err := set.BuildIndex(); err != nil {
		t.Fatal(err)
	}
	if p, ok := set.Lookup("b"); !ok || p.ID != "b" {
		t.Error("Lookup(b) failed")
	}
	// Appending without reindexing still finds the problem.
	set.Problems = append(set.Problems, &Problem{ID: "d"})
	if _, ok := set.Lookup("d"); !ok {
		t.Error("Lookup(d) after append failed")
	}
	sub := set.Filter(func(p *Problem) bool { return p.ID != "a" })
	if len(sub.Problems) != 3 || sub.Name != "s" {
		t.Errorf("Filter kept %d", len(sub.Problems))
	}
	if _, ok := sub.Lookup("a"); ok {
		t.Error("filtered-out problem still found")
	}
	dup := &Set{Problems: []*Problem{{ID: "x"}, {ID: "x"}}}
	if err := dup.BuildIndex(); err == nil {
		t.Error("BuildIndex accepted a duplicate id")
	}
}
