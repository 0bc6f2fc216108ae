package judge

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

// refData is what running a reference solution once gives: its return
// value on every test (pickled, in the order Public then PrivateTests()),
// its CPU time per test, and the tests it failed on.
type refData struct {
	Key    string         `json:"key"`
	Python string         `json:"python,omitempty"`
	Times  []float64      `json:"times"`
	Errors map[int]string `json:"errors,omitempty"`
	// Pickle is stored next to the metadata, not in it.
	Pickle []byte `json:"-"`
}

// refCache computes reference outputs once per problem, keeps them in
// memory and on disk, and lets concurrent callers share one computation.
type refCache struct {
	dir string
	log *slog.Logger

	mu       sync.Mutex
	inflight map[string]*refCall
	mem      map[string]*refData
	keys     sync.Map // *dataset.Problem -> key
}

type refCall struct {
	done chan struct{}
	data *refData
	err  error
}

func newRefCache(dir string, log *slog.Logger) *refCache {
	return &refCache{dir: filepath.Join(dir, "expected"), log: log, inflight: map[string]*refCall{}, mem: map[string]*refData{}}
}

// key identifies everything the expected outputs depend on: the harness,
// the reference code, how it is called and every test input.
func (c *refCache) key(p *dataset.Problem, pl *plan) string {
	if k, ok := c.keys.Load(p); ok {
		return k.(string)
	}
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put("rlef-reference-v1")
	put(harnessSource)
	put(pl.mode)
	put(p.EntryPoint)
	put(p.Setup)
	put(p.Meta[dataset.MetaArgsAdapter])
	put(p.Meta[dataset.MetaEvalPlusOracle])
	if len(p.Solutions) > 0 {
		put(p.Solutions[0].Code)
	}
	for _, tests := range [][]dataset.Test{p.Public, p.PrivateTests()} {
		put(strconv.Itoa(len(tests)))
		for _, t := range tests {
			put(t.Input)
		}
	}
	k := hex.EncodeToString(h.Sum(nil))
	c.keys.Store(p, k)
	return k
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (c *refCache) paths(p *dataset.Problem, key string) (meta, pickle string) {
	base := unsafeName.ReplaceAllString(p.ID, "_")
	if len(base) > 64 {
		base = base[:64]
	}
	base += "-" + key[:16]
	return filepath.Join(c.dir, base+".json"), filepath.Join(c.dir, base+".pkl")
}

func (c *refCache) load(p *dataset.Problem, key string) (*refData, bool) {
	metaPath, pklPath := c.paths(p, key)
	meta, err := os.ReadFile(metaPath)
	if err != nil {
		return nil, false
	}
	var d refData
	if err := json.Unmarshal(meta, &d); err != nil || d.Key != key {
		return nil, false
	}
	if d.Pickle, err = os.ReadFile(pklPath); err != nil {
		return nil, false
	}
	return &d, true
}

func (c *refCache) store(p *dataset.Problem, d *refData) error {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	metaPath, pklPath := c.paths(p, d.Key)
	meta, err := json.Marshal(d)
	if err != nil {
		return err
	}
	// The pickle first: the metadata's presence says the entry is complete.
	if err := writeFileAtomic(pklPath, d.Pickle); err != nil {
		return err
	}
	return writeFileAtomic(metaPath, meta)
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// reference returns p's reference outputs, computing them if needed.
func (j *Judge) reference(ctx context.Context, p *dataset.Problem, pl *plan) (*refData, error) {
	c := j.refs
	key := c.key(p, pl)
	c.mu.Lock()
	if d, ok := c.mem[key]; ok {
		c.mu.Unlock()
		return d, nil
	}
	if call, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.data, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &refCall{done: make(chan struct{})}
	c.inflight[key] = call
	c.mu.Unlock()

	call.data, call.err = j.computeReference(ctx, p, pl, key)
	c.mu.Lock()
	delete(c.inflight, key)
	if call.err == nil {
		c.mem[key] = call.data
	}
	c.mu.Unlock()
	close(call.done)
	return call.data, call.err
}

func (j *Judge) computeReference(ctx context.Context, p *dataset.Problem, pl *plan, key string) (*refData, error) {
	c := j.refs
	if d, ok := c.load(p, key); ok {
		return d, nil
	}
	if len(p.Solutions) == 0 {
		return nil, errors.New("the problem has no reference solution")
	}
	sol := p.Solutions[0]
	if sol.Language != "" && sol.Language != "python" && sol.Language != "python3" {
		return nil, fmt.Errorf("the reference solution is in %s, not Python", sol.Language)
	}
	start := time.Now()
	all := append(append([]dataset.Test(nil), p.Public...), p.PrivateTests()...)
	suite := harnessSuite{}
	for i, t := range all {
		suite.Tests = append(suite.Tests, harnessTest{I: i, In: t.Input, T: j.opts.ReferenceTimeLimit.Seconds()})
	}
	suite.Budget = j.opts.ReferenceBudget.Seconds()
	run := &harnessRun{
		job: harnessJob{
			Mode: pl.mode, Profile: profileEvalPlus, Entry: p.EntryPoint, Setup: p.Setup,
			Adapter: p.Meta[dataset.MetaArgsAdapter], Oracle: p.Meta[dataset.MetaEvalPlusOracle],
			Reference: true, ASLimit: max(pl.memory, 256<<20), LoadLimit: j.opts.ReferenceTimeLimit.Seconds(),
			Atol: p.Atol, DigestMin: 64 << 10,
			Suites: []harnessSuite{suite},
		},
		files:   map[string][]byte{"solution.py": []byte(sol.Code)},
		cpu:     j.opts.ReferenceBudget,
		memory:  max(pl.memory, 256<<20),
		collect: []string{"expected.pkl"},
		output:  1 << 30,
	}
	hr, err := j.exec(ctx, run)
	if err != nil {
		return nil, err
	}
	if hr.infra != nil {
		return nil, fmt.Errorf("sandbox: %w", hr.infra)
	}
	out := &hr.out
	if out.load != nil {
		return nil, fmt.Errorf("the reference solution failed to load: %s", firstNonEmpty(out.load.TB, out.load.X))
	}
	if !out.done {
		why := fmt.Sprintf("%s %s", hr.result.Status, hr.result.Message)
		if out.fatal != "" {
			why += ": " + out.fatal
		}
		return nil, fmt.Errorf("the reference run did not finish: %s", why)
	}
	pkl, ok := hr.result.Files["expected.pkl"]
	if !ok {
		return nil, errors.New("the reference run produced no expected.pkl")
	}
	d := &refData{Key: key, Times: make([]float64, len(all)), Pickle: pkl}
	seen := make([]bool, len(all))
	for _, ev := range out.tests {
		if ev.S != 0 || ev.K >= len(all) {
			continue
		}
		seen[ev.K] = true
		d.Times[ev.K] = ev.C
		if v := harnessVerdicts[ev.V]; v != verdict.Accepted {
			if d.Errors == nil {
				d.Errors = map[int]string{}
			}
			d.Errors[ev.K] = fmt.Sprintf("%s %s", v, firstNonEmpty(ev.X, ev.TB))
		}
	}
	for i, s := range seen {
		if !s {
			if d.Errors == nil {
				d.Errors = map[int]string{}
			}
			d.Errors[i] = "not run: the reference run's time budget was used up"
		}
	}
	for i, why := range out.unpicklable {
		if d.Errors == nil {
			d.Errors = map[int]string{}
		}
		d.Errors[i] = "the reference's return value cannot be pickled: " + why
	}
	c.log.Debug("computed reference outputs", "problem", p.ID, "tests", len(all), "errors", len(d.Errors), "took", time.Since(start))
	if err := c.store(p, d); err != nil {
		c.log.Warn("cannot cache reference outputs", "problem", p.ID, "err", err)
	}
	return d, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
