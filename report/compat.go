package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rlef/rlef/store"
)

// Difference is one setting in which two runs differ.
type Difference struct {
	// Field names the setting as in the run description ("benchmark",
	// "turns", …).
	Field string
	A, B  string
	// Protocol marks a protocol setting (turns, samples, sampling,
	// feedback, …), which --allow-different-settings may accept; the
	// others (benchmark, data version, problem set) are never accepted.
	Protocol bool
}

func (d Difference) String() string { return fmt.Sprintf("%s: A %s, B %s", d.Field, d.A, d.B) }

// Differences lists the settings in which two run descriptions differ,
// data settings first. Model, endpoint, API, prompt profile and seed are
// what a comparison compares and are not listed.
func Differences(a, b *store.RunInfo) []Difference {
	var out []Difference
	add := func(field, x, y string, protocol bool) {
		if x != y {
			out = append(out, Difference{Field: field, A: x, B: y, Protocol: protocol})
		}
	}
	add("benchmark", strconv.Quote(a.Benchmark), strconv.Quote(b.Benchmark), false)
	add("data_version", strconv.Quote(a.DataVersion), strconv.Quote(b.DataVersion), false)
	if d, ok := problemDifference(a.Problems, b.Problems); ok {
		out = append(out, d)
	}
	add("turns", strconv.Itoa(a.Turns), strconv.Itoa(b.Turns), true)
	add("samples", strconv.Itoa(a.Samples), strconv.Itoa(b.Samples), true)
	add("temperature", optFloat(a.Temperature), optFloat(b.Temperature), true)
	add("top_p", optFloat(a.TopP), optFloat(b.TopP), true)
	add("max_tokens", maxTokens(a.MaxTokens), maxTokens(b.MaxTokens), true)
	add("feedback", strconv.Quote(a.Feedback), strconv.Quote(b.Feedback), true)
	add("extraction", strconv.Quote(a.Extraction), strconv.Quote(b.Extraction), true)
	add("prefill", strconv.FormatBool(a.Prefill), strconv.FormatBool(b.Prefill), true)
	add("language", strconv.Quote(a.Language), strconv.Quote(b.Language), true)
	return out
}

func maxTokens(n int) string {
	if n == 0 {
		return "default"
	}
	return strconv.Itoa(n)
}

// problemDifference compares problem sets (order does not matter).
func problemDifference(a, b []string) (Difference, bool) {
	sa, sb := slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	sa, sb = slices.Compact(sa), slices.Compact(sb)
	if slices.Equal(sa, sb) {
		return Difference{}, false
	}
	var onlyA, onlyB []string
	for _, p := range sa {
		if _, found := slices.BinarySearch(sb, p); !found {
			onlyA = append(onlyA, p)
		}
	}
	for _, p := range sb {
		if _, found := slices.BinarySearch(sa, p); !found {
			onlyB = append(onlyB, p)
		}
	}
	side := func(n int, only []string) string {
		s := fmt.Sprintf("%d problems", n)
		if len(only) > 0 {
			s += fmt.Sprintf(" (%d not in the other: %s)", len(only), listNames(only, 5))
		}
		return s
	}
	return Difference{Field: "problems", A: side(len(sa), onlyA), B: side(len(sb), onlyB)}, true
}

// NotComparableError explains why two runs cannot be compared pairwise.
type NotComparableError struct {
	// A and B describe the runs ("label (dir)").
	A, B string
	// Reasons are complete sentences; Differences the settings behind
	// them.
	Reasons     []string
	Differences []Difference
}

func (e *NotComparableError) Error() string {
	return fmt.Sprintf("cannot compare B = %s with A = %s: %s", e.B, e.A, strings.Join(e.Reasons, "; "))
}

// CheckComparable reports whether run b can be compared pairwise with run
// a. It refuses runs without a description, unfinished runs, runs on
// different benchmarks, data versions or problem sets, and (unless
// allowProtocol) runs whose protocol settings differ. It returns the
// accepted protocol differences, and a *NotComparableError naming every
// reason otherwise.
func CheckComparable(a, b *Run, allowProtocol bool) ([]Difference, error) {
	e := &NotComparableError{A: fmt.Sprintf("%s (%s)", a.Model(), a.Dir), B: fmt.Sprintf("%s (%s)", b.Model(), b.Dir)}
	for _, x := range []struct {
		side string
		r    *Run
	}{{"A", a}, {"B", b}} {
		switch {
		case x.r.Info == nil:
			e.Reasons = append(e.Reasons, fmt.Sprintf("run %s (%s) has no run description, so its benchmark and settings cannot be checked", x.side, x.r.Dir))
		case !x.r.Finished():
			e.Reasons = append(e.Reasons, fmt.Sprintf("run %s (%s) is %s; finish it (re-run its rlef eval command, which resumes) before a paired comparison", x.side, x.r.Dir, x.r.Progress()))
		}
	}
	if a.Info == nil || b.Info == nil {
		return nil, e
	}
	var data, protocol []string
	var allowed []Difference
	for _, d := range Differences(a.Info, b.Info) {
		if !d.Protocol {
			data = append(data, d.String())
			e.Differences = append(e.Differences, d)
			continue
		}
		if allowProtocol {
			allowed = append(allowed, d)
			continue
		}
		protocol = append(protocol, d.String())
		e.Differences = append(e.Differences, d)
	}
	if len(data) > 0 {
		e.Reasons = append(e.Reasons, "they ran on different problems ("+strings.Join(data, "; ")+"); this is never allowed")
	}
	if len(protocol) > 0 {
		e.Reasons = append(e.Reasons, "their protocol settings differ ("+strings.Join(protocol, "; ")+"); pass --allow-different-settings to compare them anyway")
	}
	if len(e.Reasons) > 0 {
		return nil, e
	}
	return allowed, nil
}
