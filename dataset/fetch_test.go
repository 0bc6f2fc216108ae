package dataset

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rlef/rlef/internal/shareddata"
)

// fakeUpstream serves files by URL path and counts requests.
type fakeUpstream struct {
	mu       sync.Mutex
	files    map[string][]byte
	truncate map[string]bool // declare the full length but send 10 bytes
	hits     map[string]int
	srv      *httptest.Server
}

func newFakeUpstream(t *testing.T) *fakeUpstream {
	u := &fakeUpstream{files: map[string][]byte{}, truncate: map[string]bool{}, hits: map[string]int{}}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.hits[r.URL.Path]++
		data, ok := u.files[r.URL.Path]
		trunc := u.truncate[r.URL.Path]
		u.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		if trunc {
			w.Write(data[:10])
			return
		}
		w.Write(data)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *fakeUpstream) set(path string, data []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.files[path] = data
}

func (u *fakeUpstream) hitCount(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits[path]
}

// noLeftovers fails if dir holds temporary files.
func noLeftovers(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("leftover temporary file %s", e.Name())
		}
	}
}

func TestFetchPinnedFile(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	data, err := os.ReadFile(shareddata.Path(t, "humaneval", "HumanEval.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	up := newFakeUpstream(t)
	const path = "/openai/human-eval/master/data/HumanEval.jsonl.gz"
	up.set(path, data)
	cache := t.TempDir()
	opts := FetchOptions{BaseURL: up.srv.URL}
	paths, err := Fetch(context.Background(), "humaneval", cache, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(cache, "humaneval", "HumanEval.jsonl.gz")
	if len(paths) != 1 || paths[0] != want {
		t.Fatalf("paths = %v, want [%s]", paths, want)
	}
	m, err := readManifest(filepath.Join(cache, "humaneval"))
	if err != nil {
		t.Fatal(err)
	}
	e := m.Files["HumanEval.jsonl.gz"]
	if !e.Pinned || e.SHA256 != "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef" || e.Size != int64(len(data)) || e.URL == "" {
		t.Errorf("manifest entry = %+v", e)
	}
	set, err := Load(context.Background(), "humaneval", LoadOptions{CacheDir: cache})
	if err != nil || len(set.Problems) != 164 {
		t.Fatalf("load from cache: %v", err)
	}
	// A second fetch finds the intact file and downloads nothing.
	if _, err := Fetch(context.Background(), "humaneval", cache, opts); err != nil {
		t.Fatal(err)
	}
	if n := up.hitCount(path); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	// A damaged cached file is downloaded again.
	os.WriteFile(want, []byte("garbage"), 0o644)
	if _, err := Fetch(context.Background(), "humaneval", cache, opts); err != nil {
		t.Fatal(err)
	}
	if sum, _ := fileSHA256(want); sum != e.SHA256 || up.hitCount(path) != 2 {
		t.Errorf("after repair: sha256 %s, %d downloads", sum, up.hitCount(path))
	}
	noLeftovers(t, filepath.Join(cache, "humaneval"))
}

func TestFetchRejectsWrongPinnedDigest(t *testing.T) {
	up := newFakeUpstream(t)
	up.set("/google-research/google-research/master/mbpp/mbpp.jsonl", []byte(`{"not": "mbpp"}`+"\n"))
	cache := t.TempDir()
	_, err := Fetch(context.Background(), "mbpp", cache, FetchOptions{BaseURL: up.srv.URL})
	if err == nil || !strings.Contains(err.Error(), "pinned digest") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(cache, "mbpp", "mbpp.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a file that failed verification was saved: %v", err)
	}
	noLeftovers(t, filepath.Join(cache, "mbpp"))
}

func TestFetchUnpinnedRecordsFirstDigest(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	up := newFakeUpstream(t)
	const path = "/datasets/livecodebench/code_generation_lite/resolve/main/test.jsonl"
	row := lcbRow(t, map[string]string{"public_test_cases": `[{"input": "1\n", "output": "1\n", "testtype": "stdin"}]`})
	up.set(path, []byte(row+"\n"))
	cache := t.TempDir()
	opts := FetchOptions{BaseURL: up.srv.URL, Version: "release_v1"}
	if _, err := Fetch(context.Background(), "livecodebench", cache, opts); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "livecodebench")
	m, _ := readManifest(dir)
	first := m.Files["test.jsonl"]
	if first.Pinned || first.SHA256 != sha256Hex([]byte(row+"\n")) {
		t.Fatalf("manifest entry = %+v", first)
	}
	set, err := Load(context.Background(), "livecodebench", LoadOptions{CacheDir: cache, Version: "release_v1"})
	if err != nil || len(set.Problems) != 1 {
		t.Fatalf("load: %v", err)
	}
	// Upstream changes; the cached copy is lost. A plain fetch refuses the
	// new bytes, --force accepts them.
	up.set(path, []byte(row+"\n"+strings.Replace(row, "abc1_a", "abc1_b", 1)+"\n"))
	os.Remove(filepath.Join(dir, "test.jsonl"))
	_, err = Fetch(context.Background(), "livecodebench", cache, opts)
	if err == nil || !strings.Contains(err.Error(), "recorded at the first download") {
		t.Fatalf("changed upstream: err = %v", err)
	}
	opts.Force = true
	if _, err := Fetch(context.Background(), "livecodebench", cache, opts); err != nil {
		t.Fatal(err)
	}
	m, _ = readManifest(dir)
	if m.Files["test.jsonl"].SHA256 == first.SHA256 {
		t.Error("--force did not record the new digest")
	}
	if set, err = Load(context.Background(), "livecodebench", LoadOptions{CacheDir: cache, Version: "release_v1"}); err != nil || len(set.Problems) != 2 {
		t.Fatalf("load after force: %v", err)
	}
}

func TestFetchInterruptedDownloadLeavesNothing(t *testing.T) {
	up := newFakeUpstream(t)
	const path = "/datasets/codeparrot/apps/resolve/main/test.jsonl"
	up.set(path, bytes.Repeat([]byte("x"), 5000))
	up.truncate[path] = true
	cache := t.TempDir()
	_, err := Fetch(context.Background(), "apps", cache, FetchOptions{BaseURL: up.srv.URL})
	if err == nil {
		t.Fatal("truncated download succeeded")
	}
	if _, err := os.Stat(filepath.Join(cache, "apps", "test.jsonl")); !os.IsNotExist(err) {
		t.Errorf("half-written file present: %v", err)
	}
	noLeftovers(t, filepath.Join(cache, "apps"))
	m, _ := readManifest(filepath.Join(cache, "apps"))
	if len(m.Files) != 0 {
		t.Errorf("manifest records a failed download: %v", m.Files)
	}
}

func TestFetchHTTPErrorAndCancel(t *testing.T) {
	up := newFakeUpstream(t)
	_, err := Fetch(context.Background(), "taco", t.TempDir(), FetchOptions{BaseURL: up.srv.URL})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing upstream file: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	up.set("/datasets/BAAI/TACO/resolve/main/ALL/test-00000-of-00001.parquet", []byte("PAR1"))
	if _, err := Fetch(ctx, "taco", t.TempDir(), FetchOptions{BaseURL: up.srv.URL}); err == nil {
		t.Error("canceled fetch succeeded")
	}
	for _, name := range []string{"builtin", "custom"} {
		if _, err := Fetch(context.Background(), name, t.TempDir(), FetchOptions{}); err == nil {
			t.Errorf("Fetch(%s) succeeded", name)
		}
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestFetchShardListing fetches a sharded split listed by HuggingFace's
// tree API; the listed LFS ids (sha256) are verified, and big files show
// progress.
func TestFetchShardListing(t *testing.T) {
	up := newFakeUpstream(t)
	shard0 := bytes.Repeat([]byte("a"), 2<<20)
	shard1 := []byte("small")
	listing := []map[string]any{
		{"type": "file", "path": "data/test-00000-of-00001-x.parquet", "size": 10},
		{"type": "file", "path": "data/train-00000-of-00002-aa.parquet", "size": len(shard0), "lfs": map[string]any{"oid": sha256Hex(shard0), "size": len(shard0)}},
		{"type": "file", "path": "data/train-00001-of-00002-bb.parquet", "size": len(shard1), "lfs": map[string]any{"oid": sha256Hex(shard1), "size": len(shard1)}},
		{"type": "directory", "path": "data/train-dir"},
	}
	js, _ := json.Marshal(listing)
	up.set("/api/datasets/deepmind/code_contests/tree/main/data", js)
	up.set("/datasets/deepmind/code_contests/resolve/main/data/train-00000-of-00002-aa.parquet", shard0)
	up.set("/datasets/deepmind/code_contests/resolve/main/data/train-00001-of-00002-bb.parquet", shard1)
	cache := t.TempDir()
	var progress bytes.Buffer
	paths, err := Fetch(context.Background(), "codecontests", cache, FetchOptions{BaseURL: up.srv.URL, Split: "train", Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Base(paths[0]) != "train-00000-of-00002-aa.parquet" || filepath.Base(paths[1]) != "train-00001-of-00002-bb.parquet" {
		t.Fatalf("paths = %v", paths)
	}
	if !strings.Contains(progress.String(), "train-00000-of-00002-aa.parquet") || strings.Contains(progress.String(), "train-00001") {
		t.Errorf("progress output %q: want a bar for the 2 MiB shard only", progress.String())
	}
	// The located files for the train split are exactly the shards.
	loc, err := Locate("codecontests", LoadOptions{CacheDir: cache, Split: "train"})
	if err != nil || len(loc.Files) != 2 {
		t.Fatalf("Locate = %+v, %v", loc, err)
	}
	// A shard whose bytes differ from the listed digest is refused.
	up.set("/datasets/deepmind/code_contests/resolve/main/data/train-00001-of-00002-bb.parquet", []byte("tampered"))
	if _, err := Fetch(context.Background(), "codecontests", t.TempDir(), FetchOptions{BaseURL: up.srv.URL, Split: "train"}); err == nil {
		t.Error("tampered shard accepted")
	}
}

func TestRewriteURL(t *testing.T) {
	tests := []struct{ u, base, want string }{
		{"https://huggingface.co/datasets/x/resolve/main/a.jsonl", "", "https://huggingface.co/datasets/x/resolve/main/a.jsonl"},
		{"https://huggingface.co/datasets/x/resolve/main/a.jsonl", "http://127.0.0.1:8080", "http://127.0.0.1:8080/datasets/x/resolve/main/a.jsonl"},
		{"https://github.com/e/r/releases/download/v1/f.gz", "https://mirror.example/gh/", "https://mirror.example/gh/e/r/releases/download/v1/f.gz"},
	}
	for _, tc := range tests {
		got, err := rewriteURL(tc.u, tc.base)
		if err != nil || got != tc.want {
			t.Errorf("rewriteURL(%s, %s) = %s, %v; want %s", tc.u, tc.base, got, err, tc.want)
		}
	}
	if _, err := rewriteURL("https://x/y", "not a url"); err == nil {
		t.Error("base URL without scheme accepted")
	}
}
