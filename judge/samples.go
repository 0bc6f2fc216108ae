package judge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sample is one program to score, read from an EvalPlus-style samples
// file: {"task_id", "solution"} (a whole program) or {"task_id",
// "completion"} (code that follows the problem's prompt), with optional
// "language" and "sample" (its index among the task's samples; by default
// the number of earlier rows of the same task).
type Sample struct {
	TaskID string
	// Index is the sample's index within its task.
	Index int
	// Code is the solution, or the completion when IsCompletion.
	Code         string
	IsCompletion bool
	Language     string
	// Line is the row's line number in its file (from 1).
	Line int
}

// maxSampleLine bounds one row of a samples file.
const maxSampleLine = 64 << 20

// ParseSample decodes one samples row (without its index).
func ParseSample(line []byte) (Sample, error) {
	var s Sample
	if !utf8.Valid(line) {
		return s, errors.New("the row is not valid UTF-8")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&raw); err != nil {
		return s, fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return s, errors.New("more than one JSON value on the line")
	}
	if raw == nil {
		return s, errors.New("not a JSON object")
	}
	str := func(key string) (string, bool, error) {
		v, ok := raw[key]
		if !ok || string(v) == "null" {
			return "", false, nil
		}
		var x string
		if err := json.Unmarshal(v, &x); err != nil {
			return "", true, fmt.Errorf("%q must be a string", key)
		}
		return x, true, nil
	}
	var err error
	var ok bool
	if s.TaskID, ok, err = str("task_id"); err != nil {
		return s, err
	} else if !ok || strings.TrimSpace(s.TaskID) == "" {
		return s, errors.New(`missing "task_id"`)
	}
	solution, hasSolution, err := str("solution")
	if err != nil {
		return s, err
	}
	completion, hasCompletion, err := str("completion")
	if err != nil {
		return s, err
	}
	switch {
	case hasSolution: // EvalPlus prefers the solution when both are given
		s.Code = solution
	case hasCompletion:
		s.Code, s.IsCompletion = completion, true
	default:
		return s, errors.New(`the row has neither "solution" nor "completion"`)
	}
	if s.Language, _, err = str("language"); err != nil {
		return s, err
	}
	s.Index = -1
	if v, ok := raw["sample"]; ok && string(v) != "null" {
		var n int
		if err := json.Unmarshal(v, &n); err != nil || n < 0 {
			return s, errors.New(`"sample" must be a non-negative integer`)
		}
		s.Index = n
	}
	return s, nil
}

// ReadSamples reads a samples file. Blank lines are skipped. Rows without
// an explicit "sample" are numbered per task in file order. Errors name the
// file and line; a sample index given twice for a task is an error.
func ReadSamples(r io.Reader, name string) ([]Sample, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var out []Sample
	next := map[string]int{}
	seen := map[string]map[int]int{} // task -> index -> line
	for lineNo := 1; ; lineNo++ {
		line, err := readLine(br)
		if err == io.EOF && line == nil {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s:%d: %w", name, lineNo, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				break
			}
			continue
		}
		s, perr := ParseSample(line)
		if perr != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, lineNo, perr)
		}
		s.Line = lineNo
		if s.Index < 0 {
			s.Index = next[s.TaskID]
		}
		if seen[s.TaskID] == nil {
			seen[s.TaskID] = map[int]int{}
		}
		if first, dup := seen[s.TaskID][s.Index]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate sample %d of task %q (first at line %d)", name, lineNo, s.Index, s.TaskID, first)
		}
		seen[s.TaskID][s.Index] = lineNo
		if s.Index >= next[s.TaskID] {
			next[s.TaskID] = s.Index + 1
		}
		out = append(out, s)
		if err == io.EOF {
			break
		}
	}
	return out, nil
}

// readLine returns one line without its newline; at the end of input it
// returns the last (unterminated) line with io.EOF, or nil and io.EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxSampleLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxSampleLine)
		}
		switch err {
		case nil:
			return bytes.TrimRight(buf, "\r\n"), nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(buf) == 0 {
				return nil, io.EOF
			}
			return bytes.TrimRight(buf, "\r\n"), io.EOF
		default:
			return nil, err
		}
	}
}
