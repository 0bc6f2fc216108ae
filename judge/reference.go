package judge

import (
	"bytes"
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

	"golang.org/x/sync/singleflight"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/pyvalue"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// refData is what running a reference solution once gives: its return
// value on every test (marshal bytes, tests numbered as allTests), its CPU
// time per test, and the tests it failed on.
type refData struct {
	Key    string         `json:"key"`
	Times  []float64      `json:"times"`
	Errors map[int]string `json:"errors,omitempty"`
	// Sizes are the lengths of the outputs, stored one after another
	// after the header; SHA256 is their checksum.
	Sizes  []int  `json:"sizes"`
	SHA256 string `json:"sha256"`
	// Digests stand for outputs too large to keep (see digest).
	Digests map[int]digest `json:"digests,omitempty"`

	outputs  [][]byte
	notNone  bool
	decodeMu sync.Mutex
	decoded  []pyvalue.Value
}

// output returns test x's expected value.
func (d *refData) output(x int) (pyvalue.Value, error) {
	d.decodeMu.Lock()
	defer d.decodeMu.Unlock()
	if d.decoded == nil {
		d.decoded = make([]pyvalue.Value, len(d.outputs))
	}
	if v := d.decoded[x]; v != nil {
		return v, nil
	}
	v, err := pyvalue.DecodeMarshal(d.outputs[x], valueLimits)
	if err != nil {
		return nil, fmt.Errorf("reference output %d: %w", x, err)
	}
	if d.notNone {
		v = notNoneExpected(v)
	}
	d.decoded[x] = v
	return v, nil
}

// refCache computes reference outputs once per problem and dataset
// version, keeps them in memory and on disk with a checksum, and lets
// concurrent callers share one computation.
type refCache struct {
	dir   string
	log   *slog.Logger
	group singleflight.Group

	mu   sync.Mutex
	mem  map[string]*refData
	keys sync.Map // *dataset.Problem -> key
}

func newRefCache(dir string, log *slog.Logger) *refCache {
	return &refCache{dir: filepath.Join(dir, "expected"), log: log, mem: map[string]*refData{}}
}

// key identifies everything the expected outputs depend on: the runner,
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
	put("rlef-reference-v2")
	put(runnerSource)
	put(pl.mode)
	put(p.EntryPoint)
	put(p.Setup)
	put(string(p.Judging.ArgsAdapter))
	put(string(p.Judging.Oracle))
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

func (c *refCache) path(p *dataset.Problem, key string) string {
	base := unsafeName.ReplaceAllString(p.ID, "_")
	if len(base) > 64 {
		base = base[:64]
	}
	return filepath.Join(c.dir, base+"-"+key[:16]+".ref")
}

// refMagic starts a cache file; the header's length follows.
const refMagic = "rlef-ref-v2\n"

func (c *refCache) load(p *dataset.Problem, key string) (*refData, bool) {
	data, err := os.ReadFile(c.path(p, key))
	if err != nil || !bytes.HasPrefix(data, []byte(refMagic)) || len(data) < len(refMagic)+4 {
		return nil, false
	}
	data = data[len(refMagic):]
	n := int(binary.LittleEndian.Uint32(data))
	if len(data) < 4+n {
		return nil, false
	}
	var d refData
	if err := json.Unmarshal(data[4:4+n], &d); err != nil || d.Key != key {
		return nil, false
	}
	blob := data[4+n:]
	if sum := sha256.Sum256(blob); hex.EncodeToString(sum[:]) != d.SHA256 {
		c.log.Warn("cached reference outputs fail their checksum; computing them again", "problem", p.ID)
		return nil, false
	}
	for _, size := range d.Sizes {
		if size < 0 || size > len(blob) {
			return nil, false
		}
		d.outputs = append(d.outputs, blob[:size:size])
		blob = blob[size:]
	}
	return &d, len(blob) == 0
}

func (c *refCache) store(p *dataset.Problem, d *refData) error {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	var blob bytes.Buffer
	d.Sizes = d.Sizes[:0]
	for _, o := range d.outputs {
		d.Sizes = append(d.Sizes, len(o))
		blob.Write(o)
	}
	sum := sha256.Sum256(blob.Bytes())
	d.SHA256 = hex.EncodeToString(sum[:])
	header, err := json.Marshal(d)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	out.WriteString(refMagic)
	out.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(header))))
	out.Write(header)
	out.Write(blob.Bytes())
	return atomicfile.WriteFile(c.path(p, d.Key), out.Bytes(), 0o600)
}

// reference returns p's reference outputs, computing them if needed.
func (j *Judge) reference(ctx context.Context, p *dataset.Problem, pl *plan) (*refData, error) {
	c := j.refs
	key := c.key(p, pl)
	c.mu.Lock()
	d, ok := c.mem[key]
	c.mu.Unlock()
	if ok {
		return d, nil
	}
	ch := c.group.DoChan(key, func() (any, error) {
		d, ok := c.load(p, key)
		if !ok {
			var err error
			if d, err = j.computeReference(context.WithoutCancel(ctx), p, pl, key); err != nil {
				return nil, err
			}
			if err := c.store(p, d); err != nil {
				c.log.Warn("cannot cache reference outputs", "problem", p.ID, "err", err)
			}
		}
		d.notNone = p.Judging.Oracle == dataset.OracleNotNone
		c.mu.Lock()
		c.mem[key] = d
		c.mu.Unlock()
		return d, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*refData), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// computeReference runs the reference solution on every test in a
// session, as a candidate would run, and keeps what it returned.
func (j *Judge) computeReference(ctx context.Context, p *dataset.Problem, pl *plan, key string) (*refData, error) {
	if len(p.Solutions) == 0 {
		return nil, errors.New("the problem has no reference solution")
	}
	sol := p.Solutions[0]
	if sol.Language != "" && sol.Language != "python" && sol.Language != "python3" {
		return nil, fmt.Errorf("the reference solution is in %s, not Python", sol.Language)
	}
	start := time.Now()
	job := loadJob{Mode: pl.mode, Source: sol.Code, Entry: p.EntryPoint, Setup: p.Setup, Profile: string(pl.grader),
		ASLimit: max(pl.memory, 256<<20), Digest: digestsServe(p)}
	if p.Judging.Oracle == dataset.OracleNotNone {
		job.Reduce = "not_none"
	}
	load, err := jsonFrame(msgLoad, job)
	if err != nil {
		return nil, err
	}
	pr := j.prepare(p)
	n := len(allTests(p))
	d := &refData{Key: key, Times: make([]float64, n), outputs: make([][]byte, n), Errors: map[int]string{}}
	rr := &refRun{j: j, spec: j.sessionSpec(pl, runnerProc), load: load}
	defer rr.close()
	budget := j.opts.ReferenceBudget
	for x := 0; x < n; x++ {
		if why, bad := pr.bad[x]; bad {
			d.Errors[x] = why
			continue
		}
		if budget <= 0 {
			d.Errors[x] = "not run: the reference run's time budget was used up"
			continue
		}
		if err := rr.call(ctx, d, x, pr.argBytes[x], min(j.opts.ReferenceTimeLimit, budget)); err != nil {
			return nil, err
		}
		budget -= time.Duration(d.Times[x] * float64(time.Second))
	}
	if len(d.Errors) == 0 {
		d.Errors = nil
	}
	j.refs.log.Debug("computed reference outputs", "problem", p.ID, "tests", n, "errors", len(d.Errors), "took", time.Since(start))
	return d, nil
}

// refRun is the session a reference solution runs in.
type refRun struct {
	j    *Judge
	spec sandbox.SessionSpec
	load []byte
	cur  *loaded
}

// call runs test x of the reference and records its output or failure.
func (rr *refRun) call(ctx context.Context, d *refData, x int, args []byte, limit time.Duration) error {
	if rr.cur == nil {
		l, lf, err := rr.j.startLoaded(ctx, rr.spec, rr.load, rr.j.opts.ReferenceTimeLimit, nil)
		if err != nil {
			return err
		}
		if lf != nil {
			if lf.err != nil {
				return fmt.Errorf("sandbox: %w", lf.err)
			}
			return fmt.Errorf("the reference solution failed to load: %s", firstNonEmpty(lf.fail.Traceback, lf.fail.Error, lf.fail.Message))
		}
		rr.cur = l
	}
	reply, res, err := rr.cur.sess.Conn(0).Exchange(ctx, callFrame("", args), rr.j.step(limit))
	d.Times[x] = res.CPU.Seconds()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		tr := rr.j.ended(rr.cur.sess, err, 0)
		rr.cur = nil
		d.Errors[x] = fmt.Sprintf("%s %s", tr.Verdict, firstNonEmpty(tr.Error, tr.Message))
		return nil
	}
	switch {
	case len(reply) > 0 && reply[0] == replyValue:
		if _, err := pyvalue.DecodeMarshal(reply[1:], valueLimits); err != nil {
			d.Errors[x] = "the reference's return value cannot be read: " + err.Error()
			break
		}
		d.outputs[x] = reply[1:]
	case len(reply) > 0 && reply[0] == replyDigest:
		var dg digest
		if err := json.Unmarshal(reply[1:], &dg); err != nil {
			d.Errors[x] = "the reference's digests cannot be read: " + err.Error()
			break
		}
		if d.Digests == nil {
			d.Digests = map[int]digest{}
		}
		d.Digests[x] = dg
	case len(reply) > 0 && reply[0] == replyNotData:
		d.Errors[x] = "the reference's return value is " + string(reply[1:])
	default:
		var f failure
		if len(reply) > 0 {
			_ = json.Unmarshal(reply[1:], &f)
		}
		d.Errors[x] = fmt.Sprintf("%s %s", verdict.RuntimeError, firstNonEmpty(f.Error, f.Traceback))
	}
	return nil
}

func (rr *refRun) close() {
	if rr.cur != nil {
		rr.cur.sess.Close()
		rr.cur = nil
	}
}
