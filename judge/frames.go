package judge

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Messages of runner.py and tester.py (see their headers): the first byte
// names the message, the rest is its body.
const (
	msgLoad   = 'L'
	msgCall   = 'C'
	msgStdio  = 'S'
	msgRun    = 'R'
	msgAnswer = 'A'

	replyOK        = 'O'
	replyValue     = 'V'
	replyHandle    = 'H'
	replyDigest    = 'G'
	replyNotData   = 'T'
	replyRaised    = 'E'
	replyCallOut   = 'K'
	replyDone      = 'D'
	answerStopped  = 'Z'
	maxNameInFrame = 1 << 16
)

// frame builds a message.
func frame(kind byte, body []byte) []byte {
	return append([]byte{kind}, body...)
}

// jsonFrame builds a message with a JSON body.
func jsonFrame(kind byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return frame(kind, b), nil
}

// callFrame asks a runner to call name (the entry point when empty) with
// marshalled arguments.
func callFrame(name string, args []byte) []byte {
	b := make([]byte, 0, 3+len(name)+len(args))
	b = append(b, msgCall)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, name...)
	return append(b, args...)
}

// splitCall reads a call a tester asks for: the name and the marshalled
// arguments.
func splitCall(body []byte) (name string, args []byte, err error) {
	if len(body) < 2 {
		return "", nil, fmt.Errorf("short call message")
	}
	n := int(binary.LittleEndian.Uint16(body))
	if len(body) < 2+n {
		return "", nil, fmt.Errorf("call message names %d bytes but has %d", n, len(body)-2)
	}
	return string(body[2 : 2+n]), body[2+n:], nil
}

// loadJob is the runner's load message.
type loadJob struct {
	Mode    string `json:"mode"` // call, method, stdio or module
	Source  string `json:"source"`
	Entry   string `json:"entry,omitempty"`
	Setup   string `json:"setup,omitempty"`
	Wrap    string `json:"wrap,omitempty"`
	Prelude string `json:"prelude,omitempty"`
	Profile string `json:"profile,omitempty"`
	Reduce  string `json:"reduce,omitempty"`
	// ASLimit is the address-space limit the runner sets on itself.
	ASLimit int64 `json:"as_limit,omitempty"`
	// Digest lets very large return values cross as digests (where the
	// comparison can only be exact equality).
	Digest bool `json:"digest,omitempty"`
}

// failure is a runner's or tester's report of an exception.
type failure struct {
	Verdict   string `json:"verdict"`
	Type      string `json:"type"`
	Error     string `json:"error"`
	Traceback string `json:"traceback"`
	// Stdout is what a wrapped stdio program printed before it raised.
	Stdout string `json:"stdout"`
}

// exports is what a runner in module mode reports about the module.
type exports struct {
	Functions []string          `json:"functions"`
	Values    map[string]string `json:"values"`
	Modules   map[string]string `json:"modules"`
	// Refs name globals that are not data: the tester can only pass them
	// back.
	Refs []string `json:"refs"`
	// Setup is the problem's setup code, added by the supervisor: the
	// tester runs its imports and function definitions itself.
	Setup string `json:"setup,omitempty"`
	// Starter is the problem's starter code (HumanEval's prompt), added by
	// the supervisor: the tester defines its complete helper functions
	// itself, so a candidate's redefinition never checks the candidate.
	Starter string `json:"starter,omitempty"`
	// Entry is the problem's entry point, added by the supervisor: the
	// tests call it by that name even when it is a builtin's (MBPP's sum).
	Entry string `json:"entry,omitempty"`
}

// testOutcome is a tester's result for one assert test.
type testOutcome struct {
	Verdict        string `json:"verdict"`
	Assertion      string `json:"assertion"`
	AssertionError string `json:"assertion_error"`
	Error          string `json:"error"`
	Traceback      string `json:"traceback"`
}
