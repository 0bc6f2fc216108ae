package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// unpickleString decodes a Python pickle whose value is a single str, as
// LiveCodeBench stores its private tests (pickle.dumps(json_text)). It
// understands exactly what such a pickle contains under protocols 2 to 5:
// PROTO, FRAME, SHORT_BINUNICODE, BINUNICODE, BINUNICODE8, MEMOIZE,
// BINPUT, LONG_BINPUT and STOP. Anything else is rejected; no code is ever
// run, unlike Python's pickle.loads.
func unpickleString(data []byte) (string, error) {
	const (
		opProto           = 0x80
		opFrame           = 0x95
		opShortBinUnicode = 0x8c
		opBinUnicode      = 'X'
		opBinUnicode8     = 0x8d
		opMemoize         = 0x94
		opBinPut          = 'q'
		opLongBinPut      = 'r'
		opStop            = '.'
	)
	var (
		stack []string
		pos   int
	)
	need := func(n uint64) ([]byte, error) {
		if n > uint64(len(data)-pos) {
			return nil, fmt.Errorf("pickle: truncated at byte %d (need %d more bytes)", pos, n)
		}
		b := data[pos : pos+int(n)]
		pos += int(n)
		return b, nil
	}
	pushStr := func(b []byte) error {
		if !utf8.Valid(b) {
			return errors.New("pickle: string is not valid UTF-8")
		}
		stack = append(stack, string(b))
		return nil
	}
	for {
		if pos >= len(data) {
			return "", errors.New("pickle: no STOP opcode")
		}
		op := data[pos]
		pos++
		switch op {
		case opProto:
			v, err := need(1)
			if err != nil {
				return "", err
			}
			if v[0] < 2 || v[0] > 5 {
				return "", fmt.Errorf("pickle: unsupported protocol %d", v[0])
			}
		case opFrame:
			// The 8-byte frame length is only a read-ahead hint.
			if _, err := need(8); err != nil {
				return "", err
			}
		case opShortBinUnicode:
			n, err := need(1)
			if err != nil {
				return "", err
			}
			b, err := need(uint64(n[0]))
			if err != nil {
				return "", err
			}
			if err := pushStr(b); err != nil {
				return "", err
			}
		case opBinUnicode:
			n, err := need(4)
			if err != nil {
				return "", err
			}
			b, err := need(uint64(binary.LittleEndian.Uint32(n)))
			if err != nil {
				return "", err
			}
			if err := pushStr(b); err != nil {
				return "", err
			}
		case opBinUnicode8:
			n, err := need(8)
			if err != nil {
				return "", err
			}
			b, err := need(binary.LittleEndian.Uint64(n))
			if err != nil {
				return "", err
			}
			if err := pushStr(b); err != nil {
				return "", err
			}
		case opMemoize:
			if len(stack) == 0 {
				return "", errors.New("pickle: MEMOIZE on an empty stack")
			}
		case opBinPut:
			if _, err := need(1); err != nil {
				return "", err
			}
		case opLongBinPut:
			if _, err := need(4); err != nil {
				return "", err
			}
		case opStop:
			if len(stack) != 1 {
				return "", fmt.Errorf("pickle: STOP with %d values on the stack, want 1", len(stack))
			}
			if pos != len(data) {
				return "", fmt.Errorf("pickle: %d trailing bytes after STOP", len(data)-pos)
			}
			return stack[0], nil
		default:
			return "", fmt.Errorf("pickle: unsupported opcode 0x%02x at byte %d (only a pickled str is accepted)", op, pos-1)
		}
	}
}
