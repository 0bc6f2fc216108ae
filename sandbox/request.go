package sandbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// The binary run request. A run request is parsed once, by whoever runs
// it: a spare for a Python run (the supervisor sends it straight to the
// spare's socket), the zygote for a native program. Little-endian:
//
//	op       byte   opZygoteRun, opDirectRun (a notice to the zygote),
//	                opSpareRun or opSessionProc
//	kind     byte   kindPython or kindExec
//	flags    byte   flagWriteSource: also write the source to argv[0];
//	                2 (set by the zygote for a session's processes): wait,
//	                after the 'S' report, for "G" before running
//	exe      int8   index of the executable among the message's
//	                descriptors, or -1
//	id       uint32 the request's number
//	limits   6 × int64: the rlimits (jobLimits.wire)
//	counts   4 × uint32: argv, env, files, collect
//	then     the source, argv, env ("K=V"), files (name, then content)
//	         and names to collect, each a uint32 length and the bytes.
//
// A request larger than maxInlineRequest travels in a memfd: the message
// is then opPayload and the index of that descriptor.
const (
	opZygoteRun   = 'R'
	opDirectRun   = 'N'
	opSpareRun    = 'P'
	opSessionProc = 'S'
	opPayload     = 'M'

	kindPython = 'p'
	kindExec   = 'x'

	flagWriteSource = 1

	requestHeaderSize = 4 + 4 + 6*8 + 4*4
)

// wireRequest is a run request as it travels.
type wireRequest struct {
	op, kind byte
	flags    byte
	exeFD    int8
	id       uint32
	limits   jobLimits
	source   []byte
	argv     []string
	env      []string
	files    []wireFile
	collect  []string
}

type wireFile struct {
	name string
	data []byte
}

// encode returns the request's bytes.
func (r *wireRequest) encode() []byte {
	n := requestHeaderSize + 4 + len(r.source)
	for _, group := range [][]string{r.argv, r.env, r.collect} {
		for _, s := range group {
			n += 4 + len(s)
		}
	}
	for _, f := range r.files {
		n += 8 + len(f.name) + len(f.data)
	}
	b := make([]byte, 0, n)
	b = append(b, r.op, r.kind, r.flags, byte(r.exeFD))
	b = binary.LittleEndian.AppendUint32(b, r.id)
	for _, v := range r.limits.wire() {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	for _, c := range []int{len(r.argv), len(r.env), len(r.files), len(r.collect)} {
		b = binary.LittleEndian.AppendUint32(b, uint32(c))
	}
	b = appendBytes(b, r.source)
	for _, s := range r.argv {
		b = appendBytes(b, []byte(s))
	}
	for _, s := range r.env {
		b = appendBytes(b, []byte(s))
	}
	for _, f := range r.files {
		b = appendBytes(appendBytes(b, []byte(f.name)), f.data)
	}
	for _, s := range r.collect {
		b = appendBytes(b, []byte(s))
	}
	return b
}

func appendBytes(b, s []byte) []byte {
	return append(binary.LittleEndian.AppendUint32(b, uint32(len(s))), s...)
}

// envList renders an environment in a stable order.
func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// wire is the order the zygote reads the limits in.
func (l jobLimits) wire() [6]int64 {
	return [6]int64{l.CPUSeconds, l.FSize, l.Stack, l.Memory, int64(l.NProc), int64(l.NoFile)}
}

// A spare's report on its own socket, made before any of the program's
// code runs: 'R' (ready, waiting for its request) or 'S' (set up, the
// program starts now), each with two CPU times in seconds; or 'E' and the
// reason its setup failed.
const (
	reportReady   = 'R'
	reportStarted = 'S'
	reportError   = 'E'

	reportSize = 1 + 2*8
)

// spareReport is a decoded report.
type spareReport struct {
	kind byte
	// For 'S': the CPU time the spare spent since it reported ready and
	// since it joined the run's cgroup. For 'R': its CPU time at ready and
	// when it joined.
	a, b float64
	err  string
}

// errNoReport: the spare closed its socket (died) without reporting.
var errNoReport = errors.New("the spare ended without a report")

// decodeSpareReport parses one report.
func decodeSpareReport(msg []byte) (spareReport, error) {
	if len(msg) == 0 {
		return spareReport{}, errNoReport
	}
	switch msg[0] {
	case reportError:
		return spareReport{kind: reportError, err: string(msg[1:])}, nil
	case reportReady, reportStarted:
		if len(msg) != reportSize {
			return spareReport{}, fmt.Errorf("spare report of %d bytes", len(msg))
		}
		a := math.Float64frombits(binary.LittleEndian.Uint64(msg[1:]))
		b := math.Float64frombits(binary.LittleEndian.Uint64(msg[9:]))
		if !validCPU(a) || !validCPU(b) {
			return spareReport{}, fmt.Errorf("spare report with CPU times %v, %v", a, b)
		}
		return spareReport{kind: msg[0], a: a, b: b}, nil
	}
	return spareReport{}, fmt.Errorf("unknown spare report %q", msg[0])
}

func validCPU(v float64) bool { return v >= 0 && v < 1e9 && !math.IsNaN(v) }
