package judge

import (
	"bytes"
	"encoding/json"

	"github.com/rlef/rlef/verdict"
)

// harnessEvent is one result line of harness.py.
type harnessEvent struct {
	Ev string `json:"ev"`
	N  string `json:"n"`
	// test and skip events
	S int     `json:"s"`
	K int     `json:"k"`
	V string  `json:"v"`
	C float64 `json:"c"`
	W float64 `json:"w"`
	// rendered values and errors
	O  *string `json:"o"`
	E  *string `json:"e"`
	X  string  `json:"x"`
	TB string  `json:"tb"`
	A  string  `json:"a"`
	M  string  `json:"m"`
	SO *string `json:"so"`
	// native runs: stderr, exit code or signal, peak memory
	SE   *string `json:"se"`
	Code *int    `json:"code"`
	Sig  int     `json:"sig"`
	Mem  int64   `json:"mem"`
	// start: the interpreter's version; unpicklable: the output index
	Py string `json:"py"`
	I  int    `json:"i"`
}

// harnessOutput is everything a harness run reported.
type harnessOutput struct {
	started bool
	load    *harnessEvent
	tests   []harnessEvent
	skips   []harnessEvent
	done    bool
	fatal   string
	// unpicklable maps output indices of a reference run to the reason
	// they could not be saved.
	unpicklable map[int]string
}

// harnessVerdicts are the verdicts a test event may carry.
var harnessVerdicts = map[string]verdict.Verdict{
	"accepted":      verdict.Accepted,
	"ok":            verdict.OK,
	"wrong_answer":  verdict.WrongAnswer,
	"runtime_error": verdict.RuntimeError,
	"time_limit":    verdict.TimeLimit,
	"memory_limit":  verdict.MemoryLimit,
	"output_limit":  verdict.OutputLimit,
	"compile_error": verdict.CompileError,
}

// parseHarnessOutput reads harness.py's result lines. Lines that are not
// JSON objects with the run's nonce, or that carry unknown verdicts or
// negative positions, are ignored: the solution shares the process and
// could write anything.
func parseHarnessOutput(stdout []byte, nonce string) harnessOutput {
	var out harnessOutput
	for len(stdout) > 0 {
		line := stdout
		if k := bytes.IndexByte(stdout, '\n'); k >= 0 {
			line, stdout = stdout[:k], stdout[k+1:]
		} else {
			stdout = nil
		}
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var ev harnessEvent
		if err := json.Unmarshal(line, &ev); err != nil || ev.N != nonce {
			continue
		}
		switch ev.Ev {
		case "start":
			out.started = true
		case "load":
			if _, ok := harnessVerdicts[ev.V]; ok && out.load == nil {
				e := ev
				out.load = &e
			}
		case "test":
			if _, ok := harnessVerdicts[ev.V]; ok && ev.S >= 0 && ev.K >= 0 && ev.C >= 0 && ev.W >= 0 {
				out.tests = append(out.tests, ev)
			}
		case "skip":
			if ev.S >= 0 && ev.K >= 0 {
				out.skips = append(out.skips, ev)
			}
		case "unpicklable":
			if out.unpicklable == nil {
				out.unpicklable = map[int]string{}
			}
			out.unpicklable[ev.I] = ev.X
		case "done":
			out.done = true
		case "fatal":
			out.fatal = ev.TB
		}
	}
	return out
}
