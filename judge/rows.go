package judge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/verdict"
)

// Row is one output row of `rlef judge` (a contract: see
// docs/architecture.md).
type Row struct {
	TaskID string `json:"task_id"`
	Sample int    `json:"sample"`
	// Status is "pass", "fail", or "error" when the sandbox failed and
	// the sample has no verdict (running the command again judges it
	// again; the last row of a sample counts).
	Status string `json:"status"`
	// Suites are keyed by suite name ("base"/"plus", "public"/"private").
	Suites map[string]RowSuite `json:"suites"`
	// Compile holds the compiler's message when the program did not
	// compile.
	Compile string `json:"compile_error,omitempty"`
}

// RowSuite summarizes one suite in a Row.
type RowSuite struct {
	Status       string          `json:"status"`
	Verdict      verdict.Verdict `json:"verdict"`
	Passed       int             `json:"passed"`
	Total        int             `json:"total"`
	FirstFailure *TestResult     `json:"first_failure"`
}

// Row status values.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusError = "error"
)

// NewRow summarizes a result for the output file. A sample passes when
// its private suite is accepted and, where the set says so
// (PassNeedsPublic: EvalPlus's base and plus) or the private suite has no
// tests, its public suite too.
func NewRow(set *dataset.Set, taskID string, sample int, r *Result) Row {
	row := Row{TaskID: taskID, Sample: sample, Suites: map[string]RowSuite{}}
	if r.Compile != nil && r.Compile.Verdict == verdict.CompileError {
		row.Compile = r.Compile.Message
	}
	pass := true
	privateName := "private"
	publicName := "public"
	needsPublic := false
	if set != nil {
		privateName, publicName, needsPublic = set.PrivateSuite, set.PublicSuite, set.PassNeedsPublic
	}
	if s := r.Suite(privateName); s != nil && s.Total == 0 {
		// No private tests (rllm's CodeContests copy lost them for some
		// problems): passing nothing proves nothing, so the public tests
		// decide.
		needsPublic = true
	}
	for _, s := range r.Suites {
		rs := RowSuite{Status: StatusFail, Verdict: s.Verdict, Passed: s.Passed, Total: s.Total, FirstFailure: s.FirstFailure}
		if s.Verdict == verdict.Accepted {
			rs.Status = StatusPass
		}
		row.Suites[s.Name] = rs
		counts := s.Name == privateName || (s.Name == publicName && needsPublic)
		if counts && s.Verdict != verdict.Accepted {
			pass = false
		}
	}
	if _, ok := row.Suites[privateName]; !ok {
		pass = false
	}
	row.Status = StatusFail
	switch {
	case r.SandboxFailed():
		row.Status = StatusError
	case pass:
		row.Status = StatusPass
	}
	return row
}

// SandboxFailed reports whether a result has a sandbox_error anywhere, in
// which case it says nothing about the program: it is recorded as an
// error, never scored, and judged again on the next run.
func (r *Result) SandboxFailed() bool {
	for _, s := range r.Suites {
		if s.Verdict == verdict.SandboxError {
			return true
		}
	}
	return false
}

// RowKey identifies a row: task and sample index.
type RowKey struct {
	TaskID string
	Sample int
}

// ReadRows reads an output file written earlier, for resuming. It returns
// the rows and the length of the file's valid prefix: a last line cut off
// by a crash is not part of it (truncate the file there before appending;
// a whole last row may still lack its newline). A malformed line anywhere
// else is an error naming the line.
func ReadRows(r io.Reader, name string) (rows []Row, validLen int64, err error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var offset int64
	for lineNo := 1; ; lineNo++ {
		line, rerr := br.ReadBytes('\n')
		if len(line) == 0 && rerr == io.EOF {
			return rows, offset, nil
		}
		if rerr != nil && rerr != io.EOF {
			return nil, 0, fmt.Errorf("%s:%d: %w", name, lineNo, rerr)
		}
		complete := rerr == nil
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) > 0 {
			var row Row
			if err := json.Unmarshal(trimmed, &row); err != nil || row.TaskID == "" || (row.Status != StatusPass && row.Status != StatusFail && row.Status != StatusError) {
				if !complete {
					// A partial last row: ignore it, it will be redone.
					return rows, offset, nil
				}
				if err == nil {
					err = errors.New("not a judge output row (task_id and status pass|fail|error expected)")
				}
				return nil, 0, fmt.Errorf("%s:%d: %w", name, lineNo, err)
			}
			rows = append(rows, row)
		}
		offset += int64(len(line))
		if !complete {
			return rows, offset, nil
		}
	}
}

// Summary is the pass@k report of `rlef judge`.
type Summary struct {
	Benchmark string `json:"benchmark"`
	Version   string `json:"version,omitempty"`
	Tasks     int    `json:"tasks"`
	Samples   int    `json:"samples"`
	// Errors counts samples the sandbox failed on: they have no verdict
	// and are left out of pass@k.
	Errors int `json:"errors,omitempty"`
	// PassAtK is the unbiased pass@k estimate (Chen et al.) averaged over
	// tasks, for k = 1, 10, 100 where every task has at least k samples.
	// Keys are the suite combinations scored: for EvalPlus sets "base"
	// (base tests only) and "base+plus", else the private suite's name.
	PassAtK map[string]map[string]float64 `json:"pass_at_k"`
	// Verdicts counts the samples by the verdict of each suite.
	Verdicts map[string]map[verdict.Verdict]int `json:"verdicts"`
}

// Summarize computes pass@k over rows. A sample's last row counts; samples
// whose last row is an error are counted apart and not scored.
func Summarize(set *dataset.Set, rows []Row) Summary {
	sum := Summary{PassAtK: map[string]map[string]float64{}, Verdicts: map[string]map[verdict.Verdict]int{}}
	rows, sum.Errors = lastVerdicts(rows)
	if set != nil {
		sum.Benchmark, sum.Version = set.Name, set.Version
	}
	type counts struct{ n, c, cPublic int }
	byTask := map[string]*counts{}
	publicName := "public"
	if set != nil && set.PublicSuite != "" {
		publicName = set.PublicSuite
	}
	for _, r := range rows {
		c := byTask[r.TaskID]
		if c == nil {
			c = &counts{}
			byTask[r.TaskID] = c
		}
		c.n++
		if r.Status == StatusPass {
			c.c++
		}
		if s, ok := r.Suites[publicName]; ok && s.Status == StatusPass {
			c.cPublic++
		}
		for name, s := range r.Suites {
			if sum.Verdicts[name] == nil {
				sum.Verdicts[name] = map[verdict.Verdict]int{}
			}
			sum.Verdicts[name][s.Verdict]++
		}
	}
	sum.Tasks, sum.Samples = len(byTask), len(rows)+sum.Errors
	if len(byTask) == 0 {
		return sum
	}
	tasks := make([]string, 0, len(byTask))
	for id := range byTask {
		tasks = append(tasks, id)
	}
	sort.Strings(tasks)
	// pass@k for every k that each task has the samples for.
	score := func(label string, correct func(*counts) int) {
		pcs := make([]metrics.PassCount, len(tasks))
		for i, id := range tasks {
			pcs[i] = metrics.PassCount{Problem: id, N: byTask[id].n, C: correct(byTask[id])}
		}
		m := map[string]float64{}
		for _, k := range []int{1, 10, 100} {
			if v, err := metrics.MeanPassAtK(pcs, k); err == nil {
				m[fmt.Sprintf("pass@%d", k)] = v
			}
		}
		sum.PassAtK[label] = m
	}
	if set != nil && set.PassNeedsPublic && set.PublicSuite == "base" {
		score("base", func(c *counts) int { return c.cPublic })
		score("base+plus", func(c *counts) int { return c.c })
	} else {
		label := "private"
		if set != nil && set.PrivateSuite != "" {
			label = set.PrivateSuite
		}
		if set != nil && set.PassNeedsPublic {
			label = set.PublicSuite + "+" + set.PrivateSuite
		}
		score(label, func(c *counts) int { return c.c })
	}
	return sum
}

// Clipped returns a copy of t whose text fields are at most n bytes each
// (head and tail kept), for records that must stay small.
func (t TestResult) Clipped(n int) TestResult {
	for _, f := range []*string{&t.Input, &t.Expected, &t.Actual, &t.Stderr, &t.Traceback, &t.Error, &t.Assertion, &t.AssertionError, &t.Message} {
		var cut bool
		if *f, cut = clip(*f, n); cut {
			t.Truncated = true
		}
	}
	return t
}

// lastVerdicts keeps each sample's last row, and of those the ones with a
// verdict; errors counts the others.
func lastVerdicts(rows []Row) (kept []Row, errors int) {
	last := map[RowKey]int{}
	for i, r := range rows {
		last[RowKey{r.TaskID, r.Sample}] = i
	}
	for i, r := range rows {
		if last[RowKey{r.TaskID, r.Sample}] != i {
			continue
		}
		if r.Status == StatusError {
			errors++
			continue
		}
		kept = append(kept, r)
	}
	return kept, errors
}
