package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/hostile"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// Compile-cache bounds of the hostile server's pool: small, so that the
// corpus's distinct 40 MiB binaries must be evicted.
const (
	hostileCacheMemory = 64 << 20
	hostileCacheDisk   = 96 << 20
)

// TestHostileServer runs the hostile corpus through the server's real
// HTTP handlers, as trainers call them: POST /get_reward (OpenRLHF, every
// Python case and an honest program after each in one batch) and POST
// /run_code (SandboxFusion, each test a run whose output the client
// compares, as verl does). Every attack must earn nothing and fail as a
// verdict about the program (never a sandbox error), the honest programs
// must pass, no slot may break, and afterwards the slots hold no process
// of a run, the compile cache is within its bounds and host files are
// unchanged. Attacks that try to leave state behind run on both slots at
// once, then honest programs run on both.
//
// The test has its own pool (two slots, small compile-cache bounds) and
// server. RLEF_HOSTILE=<substring> runs only the matching cases.
func TestHostileServer(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs the hostile corpus")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	h := newHostileServer(ctx, t)
	cases := hostile.Filter(hostile.Cases(), os.Getenv("RLEF_HOSTILE"))
	heapBefore := heapInUse()

	t.Run("get_reward", func(t *testing.T) {
		mark := h.logs.Mark()
		h.rewardStateless(t, hostile.Select(cases, hostile.Reward, false))
		h.noBrokenSlots(t, mark, "while the batch ran")
		for _, c := range hostile.Select(cases, hostile.Reward, true) {
			h.rewardStateful(t, c)
		}
	})
	t.Run("run_code", func(t *testing.T) {
		h.runCodeStateless(t, hostile.Select(cases, hostile.RunCode, false))
		for _, c := range hostile.Select(cases, hostile.RunCode, true) {
			h.runCodeStateful(t, c)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		st := h.pool.CompileStats()
		t.Logf("compile cache: %+v; on disk %d bytes; heap %d -> %d MiB", st, hostile.DirSize(filepath.Join(h.cache, "cxx")), heapBefore>>20, heapInUse()>>20)
		if st.MemoryBytes > hostileCacheMemory {
			t.Errorf("compile cache holds %d bytes in memory, bound %d", st.MemoryBytes, hostileCacheMemory)
		}
		if st.DiskBytes > hostileCacheDisk {
			t.Errorf("compile cache counts %d bytes on disk, bound %d", st.DiskBytes, hostileCacheDisk)
		}
		if n := hostile.DirSize(filepath.Join(h.cache, "cxx")); n > hostileCacheDisk {
			t.Errorf("compile cache directory holds %d bytes, bound %d", n, hostileCacheDisk)
		}
		if ranFloods := len(hostile.Filter(cases, "c10/error-flood")); ranFloods > 0 && st.Failures < int64(ranFloods) {
			t.Errorf("%d failed compilations counted, want at least %d", st.Failures, ranFloods)
		}
		if grown := heapInUse() - heapBefore; grown > 256<<20 {
			t.Errorf("the server's heap grew by %d MiB", grown>>20)
		}
	})
	if left := hostile.SlotsIdle(10 * time.Second); left != "" {
		t.Errorf("after the corpus: %s", left)
	}
	if changed := h.before.Changed(); len(changed) > 0 {
		t.Errorf("host files changed: %v", changed)
	}
}

// hostileServer is the pool, server and host state a hostile run shares.
type hostileServer struct {
	pool   *sandbox.Pool
	url    string
	cache  string
	logs   *hostile.LogWatch
	host   []string
	before *hostile.HostFiles
}

func newHostileServer(ctx context.Context, t *testing.T) *hostileServer {
	dir := t.TempDir()
	h := &hostileServer{cache: filepath.Join(dir, "cache"), logs: &hostile.LogWatch{}}
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 2, CacheDir: h.cache, Logger: logger,
		CompileCacheMemory: hostileCacheMemory, CompileCacheDisk: hostileCacheDisk})
	hostile.RequireSandbox(t, err)
	t.Cleanup(func() { pool.Close() })
	h.pool = pool
	j, err := judge.New(pool, judge.Options{CacheDir: filepath.Join(dir, "judge"), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	set, err := hostile.LoadBenchmark(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Pool: pool, Judge: j, Sets: []*dataset.Set{set}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	h.url = ts.URL
	h.host = hostile.HostStrings(dir, h.cache)
	h.before = hostile.SnapshotHost(t)
	return h
}

// noBrokenSlots fails the test for every slot a program broke since
// mark, and for processes of a run left in a slot.
func (h *hostileServer) noBrokenSlots(t *testing.T, mark int, when string) {
	t.Helper()
	for _, line := range h.logs.Replaced(mark, -1) {
		t.Errorf("a program broke a sandbox slot %s: %s", when, line)
	}
	if left := hostile.SlotsIdle(10 * time.Second); left != "" {
		t.Errorf("processes of a run outlived it: %s", left)
	}
}

// ------------------------------------------------------------ /get_reward

// rewardSample is one sample of a /get_reward batch: an attack or an
// honest program.
type rewardSample struct {
	c       *hostile.Case
	honest  bool
	problem string
	code    string
}

const rewardPrompt = "<|im_start|>user\nSolve the problem.<|im_end|>\n<|im_start|>assistant\n"

// reward sends one /get_reward batch and returns each sample's outcome.
func (h *hostileServer) reward(t *testing.T, samples []rewardSample) []hostile.Outcome {
	t.Helper()
	var req RewardRequest
	for _, s := range samples {
		label, _ := json.Marshal(hostile.SetName + "/" + strings.TrimPrefix(s.problem, hostile.SetName+"/"))
		req.Query = append(req.Query, rewardPrompt+"```python\n"+s.code+"\n```<|im_end|>")
		req.Prompts = append(req.Prompts, rewardPrompt)
		req.Labels = append(req.Labels, label)
	}
	code, body := hostilePost(h.url+"/get_reward", req)
	out := make([]hostile.Outcome, len(samples))
	if code != http.StatusOK {
		for i := range out {
			out[i] = hostile.Outcome{Entry: hostile.Reward, Infra: true, Text: fmt.Sprintf("HTTP %d: %s", code, body)}
		}
		return out
	}
	var resp RewardResponse
	if err := json.Unmarshal(body, &resp); err != nil || len(resp.Rewards) != len(samples) || len(resp.Verdicts) != len(samples) {
		t.Fatalf("get_reward answered %d rewards for %d samples (%v): %.500s", len(resp.Rewards), len(samples), err, body)
	}
	for i := range samples {
		v := verdict.Verdict(resp.Verdicts[i])
		out[i] = hostile.Outcome{Entry: hostile.Reward, Passed: resp.Rewards[i] == RewardPass, Verdict: v,
			Infra: v == verdict.SandboxError || resp.Errors[i] != "" || resp.ExtraLogs["sandbox_error"][i] != 0,
			Text:  fmt.Sprintf("reward %v verdict %s error %q", resp.Rewards[i], resp.Verdicts[i], resp.Errors[i])}
	}
	return out
}

// rewardStateless judges every case in one batch, each followed by an
// honest program for its problem.
func (h *hostileServer) rewardStateless(t *testing.T, cases []*hostile.Case) {
	if len(cases) == 0 {
		return
	}
	var samples []rewardSample
	for _, c := range cases {
		samples = append(samples, rewardSample{c: c, problem: c.Problem, code: c.Code},
			rewardSample{c: c, honest: true, problem: c.Problem, code: hostile.ProblemByID(c.Problem).Honest()})
	}
	start := time.Now()
	outs := h.reward(t, samples)
	t.Logf("get_reward: %d samples in one batch in %v", len(samples), time.Since(start).Round(time.Millisecond))
	for i, s := range samples {
		h.check(t, s.c, s.honest, s.problem, outs[i])
	}
}

// rewardStateful judges a case on both slots at once (two samples that
// overlap), then the honest programs of its victims, twice each.
func (h *hostileServer) rewardStateful(t *testing.T, c *hostile.Case) {
	mark := h.logs.Mark()
	attack := rewardSample{c: c, problem: c.Problem, code: c.Code}
	for _, o := range h.reward(t, []rewardSample{attack, attack}) {
		h.check(t, c, false, c.Problem, o)
	}
	var victims []rewardSample
	for _, p := range c.Victims() {
		honest := rewardSample{c: c, honest: true, problem: p, code: hostile.ProblemByID(p).Honest()}
		victims = append(victims, honest, honest)
	}
	for i, o := range h.reward(t, victims) {
		h.check(t, c, true, victims[i].problem, o)
	}
	t.Run(c.Name+"/host", func(t *testing.T) { h.noBrokenSlots(t, mark, "after it") })
}

// check applies the corpus's checks to one outcome, in a subtest named
// after the case (and the honest program's problem).
func (h *hostileServer) check(t *testing.T, c *hostile.Case, honest bool, problem string, o hostile.Outcome) {
	t.Helper()
	name := c.Name
	if honest {
		name += "/then-honest-" + strings.TrimPrefix(problem, hostile.SetName+"/")
	}
	t.Run(name, func(t *testing.T) {
		if honest {
			for _, bad := range hostile.CheckControl(o, h.host) {
				t.Error(bad)
			}
			return
		}
		for _, bad := range c.Check(o, h.host) {
			t.Errorf("%s (%s)\n  got: %.1500s", bad, c.Why, o.Text)
		}
	})
}

// ------------------------------------------------------------ /run_code

// runClient checks a program on every test of a problem the way a
// SandboxFusion client does, stopping at the first failing test; only
// the first test with only.
func (h *hostileServer) runClient(p *hostile.Problem, c *hostile.Case, code, lang string, only bool) hostile.Outcome {
	o := hostile.Outcome{Entry: hostile.RunCode, Passed: true, Verdict: verdict.OK}
	runs := p.ClientRuns(code)
	if only {
		runs = runs[:1]
	}
	timeout := 2.0
	if p.TimeLimit > 0.5 {
		timeout = 3
	}
	for _, run := range runs {
		req := map[string]any{"code": run.Code, "language": lang, "stdin": run.Stdin, "run_timeout": timeout,
			"compile_timeout": 30, "memory_limit_MB": p.MemoryMiB()}
		files := map[string]string{}
		for name, data := range run.Files {
			files[name] = base64.StdEncoding.EncodeToString(data)
		}
		fetch := append([]string{}, run.Fetch...)
		if c != nil {
			for name, data := range c.Files {
				files[name] = base64.StdEncoding.EncodeToString([]byte(data))
			}
			fetch = append(fetch, c.Fetch...)
		}
		req["files"], req["fetch_files"] = files, fetch
		status, body := hostilePost(h.url+"/run_code", req)
		o.Text += string(body) + "\n"
		var resp RunCodeResponse
		if status != http.StatusOK || json.Unmarshal(body, &resp) != nil {
			o.Passed, o.Infra = false, true
			return o
		}
		got := map[string][]byte{}
		for name, b64 := range resp.Files {
			data, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				o.Text += fmt.Sprintf("file %q is not base64\n", name)
				o.Infra = true
			}
			got[name] = data
		}
		o.Fetched = nil
		if c != nil {
			for name := range got {
				if slices.Contains(c.Fetch, name) {
					o.Fetched = append(o.Fetched, name)
				}
			}
			sort.Strings(o.Fetched)
		}
		if resp.Status == StatusSandboxError {
			o.Passed, o.Infra = false, true
			return o
		}
		if cr := resp.CompileResult; cr != nil && (cr.Status != CommandFinished || cr.ReturnCode == nil || *cr.ReturnCode != 0) {
			o.Passed, o.Verdict = false, verdict.CompileError
			return o
		}
		if resp.RunResult == nil {
			o.Passed, o.Infra = false, true
			return o
		}
		stdout := ""
		if resp.RunResult.Stdout != nil {
			stdout = *resp.RunResult.Stdout
		}
		if resp.Status != StatusSuccess || !run.Passed(stdout, got) {
			o.Passed, o.Verdict = false, verdict.Verdict(resp.RunResult.Verdict)
			return o
		}
	}
	return o
}

// runCodeStateless checks each case and then the honest program of its
// problem, two cases at a time (one per slot). A slot broken while a case
// ran is reported on it (and on the case beside it).
func (h *hostileServer) runCodeStateless(t *testing.T, cases []*hostile.Case) {
	start := time.Now()
	type result struct {
		c             *hostile.Case
		attack, after hostile.Outcome
		from, to      int
	}
	results := make([]result, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for range h.pool.Slots() {
		wg.Go(func() {
			for i := range next {
				c := cases[i]
				p := hostile.ProblemByID(c.Problem)
				r := result{c: c, from: h.logs.Mark()}
				r.attack = h.runClient(p, c, c.Code, c.Lang(), false)
				r.after = h.runClient(p, nil, p.Honest(), "python", false)
				r.to = h.logs.Mark()
				results[i] = r
			}
		})
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	t.Logf("run_code: %d cases and their controls in %v", len(cases), time.Since(start).Round(time.Millisecond))
	for _, r := range results {
		h.check(t, r.c, false, r.c.Problem, r.attack)
		h.check(t, r.c, true, r.c.Problem, r.after)
		for _, line := range h.logs.Replaced(r.from, r.to) {
			t.Errorf("%s: a slot broke while it ran (it or the case beside it broke it): %s", r.c.Name, line)
		}
	}
	if left := hostile.SlotsIdle(10 * time.Second); left != "" {
		t.Errorf("processes of a run outlived it: %s", left)
	}
}

// runCodeStateful runs a case's first test on both slots at once, then
// its victims' honest programs twice each, at once.
func (h *hostileServer) runCodeStateful(t *testing.T, c *hostile.Case) {
	mark := h.logs.Mark()
	p := hostile.ProblemByID(c.Problem)
	attacks := make([]hostile.Outcome, h.pool.Slots())
	var wg sync.WaitGroup
	for i := range attacks {
		wg.Go(func() { attacks[i] = h.runClient(p, c, c.Code, c.Lang(), true) })
	}
	wg.Wait()
	for _, o := range attacks {
		h.check(t, c, false, c.Problem, o)
	}
	for _, victim := range c.Victims() {
		vp := hostile.ProblemByID(victim)
		after := make([]hostile.Outcome, h.pool.Slots())
		for i := range after {
			wg.Go(func() { after[i] = h.runClient(vp, nil, vp.Honest(), "python", false) })
		}
		wg.Wait()
		for _, o := range after {
			h.check(t, c, true, victim, o)
		}
	}
	t.Run(c.Name+"/host", func(t *testing.T) { h.noBrokenSlots(t, mark, "after it") })
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// hostilePost sends a JSON body; unlike post it may be called from any
// goroutine (an error is a status 0 with the error as the body).
func hostilePost(url string, body any) (int, []byte) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, []byte(err.Error())
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, []byte(err.Error())
	}
	return resp.StatusCode, out
}
