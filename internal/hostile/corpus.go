package hostile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rlef/rlef/verdict"
)

// Entry is an entry point through which a trainer gets a verdict.
type Entry uint8

const (
	// Judge is `rlef judge` on a samples file.
	Judge Entry = 1 << iota
	// Reward is POST /get_reward (Python only: it extracts Python code).
	Reward
	// RunCode is POST /run_code, the way a SandboxFusion client checks a
	// program: one run per test, the output compared by the client.
	RunCode
)

// AllEntries is every entry point.
const AllEntries = Judge | Reward | RunCode

func (e Entry) String() string {
	var names []string
	for _, n := range []struct {
		e    Entry
		name string
	}{{Judge, "judge"}, {Reward, "get_reward"}, {RunCode, "run_code"}} {
		if e&n.e != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, "+")
}

// Case is one hostile program and what it must get.
type Case struct {
	// Name is unique: "c<class>/<what it does>".
	Name string
	// Class is the attack class of trust.md (1-13).
	Class int
	// Why says in one line what the program tries.
	Why string
	// Problem is the ID of the problem it is submitted for.
	Problem string
	// Language is "python" (the default) or "cpp".
	Language string
	// Code is the program.
	Code string
	// Entries limits the entry points it runs through; zero means every
	// entry point that can run it (see Case.Runs).
	Entries Entry
	// Verdicts are the verdicts `rlef judge` and /get_reward may give it
	// (the first failing one); nil means any verdict about the program.
	// Accepted and sandbox_error are never allowed.
	Verdicts []verdict.Verdict
	// RunVerdicts are the sandbox verdicts /run_code may report for the
	// run that failed (ok, runtime_error, time_limit, ...); nil means any
	// but sandbox_error.
	RunVerdicts []verdict.Verdict
	// Forbidden are texts that must not appear in anything an entry point
	// returns: the program prints them only when its attack got through
	// (a system call that succeeded, a connection that opened).
	Forbidden []string
	// Stateful cases try to leave something behind for the next run on
	// their slot: they run alone, on every slot, and each is followed on
	// the same slots by the honest programs of Victims.
	Stateful bool
	// Files and Fetch are the files a /run_code client sends and asks
	// back (RunCode only).
	Files map[string]string
	Fetch []string
	// FetchNone: no file of Fetch may come back (they lie outside the
	// per-run directories, through a symbolic link).
	FetchNone bool
	// FetchAll: every file of Fetch must come back (the program wrote
	// them all).
	FetchAll bool
}

// Lang returns the case's language, "python" by default.
func (c *Case) Lang() string {
	if c.Language == "" {
		return "python"
	}
	return c.Language
}

// Runs reports whether the case runs through entry e.
func (c *Case) Runs(e Entry) bool {
	entries := c.Entries
	if entries == 0 {
		entries = AllEntries
	}
	if e == Reward && c.Lang() != "python" {
		return false // /get_reward judges Python code blocks only
	}
	return entries&e != 0
}

// Victims are the problems whose honest programs must pass right after a
// stateful case, on the slots it ran on: one that checks the run starts
// clean, one that needs most of its memory limit (after attacks on
// memory, class 9), and the case's own problem.
func (c *Case) Victims() []string {
	v := []string{CleanRoom}
	if c.Class == 9 {
		v = append(v, BigAlloc)
	}
	if !slices.Contains(v, c.Problem) {
		v = append(v, c.Problem)
	}
	return v
}

// Outcome is what one entry point reported about one program.
type Outcome struct {
	Entry Entry
	// Passed: the program earned a pass (an accepted row, a reward of +1,
	// or every run succeeding with the expected output for a client).
	Passed bool
	// Verdict is the first failing verdict (judge, reward) or the sandbox
	// verdict of the run that failed (run_code); accepted (ok) when
	// Passed.
	Verdict verdict.Verdict
	// Infra: the entry point reported a sandbox failure (a row with
	// status error, a sandbox_error verdict, a SandboxError status, an
	// HTTP error).
	Infra bool
	// Text is everything the entry point returned that the program could
	// influence (a row, a response).
	Text string
	// Fetched are the files /run_code returned.
	Fetched []string
}

// Check returns what is wrong with an attack's outcome: that it earned a
// pass, that its failure became a sandbox error, a verdict it should not
// get, a forbidden text, or a host string in what came back.
func (c *Case) Check(o Outcome, host []string) []string {
	var bad []string
	if o.Passed {
		bad = append(bad, fmt.Sprintf("earned a pass through %s (verdict %s)", o.Entry, o.Verdict))
	}
	if o.Infra || o.Verdict == verdict.SandboxError {
		bad = append(bad, fmt.Sprintf("its failure became a sandbox error through %s", o.Entry))
	}
	allowed := c.Verdicts
	if o.Entry == RunCode {
		allowed = c.RunVerdicts
	}
	if !o.Passed && !o.Infra && allowed != nil && !slices.Contains(allowed, o.Verdict) {
		bad = append(bad, fmt.Sprintf("verdict %s through %s, want one of %v", o.Verdict, o.Entry, allowed))
	}
	for _, f := range c.Forbidden {
		if strings.Contains(o.Text, f) {
			bad = append(bad, fmt.Sprintf("%s returned %q: the attack got through", o.Entry, f))
		}
	}
	bad = append(bad, LeaksIn(o.Text, host)...)
	if o.Entry == RunCode {
		if c.FetchNone && len(o.Fetched) > 0 {
			bad = append(bad, fmt.Sprintf("run_code returned %q, read through a symbolic link out of the per-run directories", o.Fetched))
		}
		if c.FetchAll && !o.Infra && len(o.Fetched) != len(c.Fetch) {
			bad = append(bad, fmt.Sprintf("run_code returned %d of the %d files the program wrote", len(o.Fetched), len(c.Fetch)))
		}
	}
	return bad
}

// CheckControl returns what is wrong with an honest program's outcome.
func CheckControl(o Outcome, host []string) []string {
	var bad []string
	if !o.Passed {
		bad = append(bad, fmt.Sprintf("the honest program failed through %s: verdict %s (infra %v): %.600s", o.Entry, o.Verdict, o.Infra, o.Text))
	}
	return append(bad, LeaksIn(o.Text, host)...)
}

// LeaksIn lists the host strings found in text.
func LeaksIn(text string, host []string) []string {
	var bad []string
	for _, h := range host {
		if h != "" && strings.Contains(text, h) {
			bad = append(bad, fmt.Sprintf("the output shows the host's %q", h))
		}
	}
	return bad
}

// Cases returns the whole corpus, in a fixed order.
func Cases() []*Case {
	var all []*Case
	for _, group := range [][]*Case{
		sideChannels(), checkerInProcess(), forgedStdio(), namedFiles(), limitsInReach(),
		failuresAsInfra(), lenientNumbers(), foreignArch(), ipcState(), caches(),
		cleanup(), hostInfo(), regressions(), replayTester(), replayNumbers(), replayStarter(),
	} {
		all = append(all, group...)
	}
	return all
}

// Select returns the cases that run through e, stateful or not.
func Select(cases []*Case, e Entry, stateful bool) []*Case {
	var out []*Case
	for _, c := range cases {
		if c.Runs(e) && c.Stateful == stateful {
			out = append(out, c)
		}
	}
	return out
}

// Filter keeps the cases whose name contains pattern (all when empty):
// RLEF_HOSTILE=c07 runs one class while working on it.
func Filter(cases []*Case, pattern string) []*Case {
	if pattern == "" {
		return cases
	}
	var out []*Case
	for _, c := range cases {
		if strings.Contains(c.Name, pattern) {
			out = append(out, c)
		}
	}
	return out
}

// v lists verdicts.
func v(vs ...verdict.Verdict) []verdict.Verdict { return vs }
