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
	r := &pickleReader{data: data}
	for {
		if r.pos >= len(data) {
			return "", errors.New("pickle: no STOP opcode")
		}
		op := data[r.pos]
		r.pos++
		var err error
		switch op {
		case opProto:
			err = r.proto()
		case opFrame:
			// The 8-byte frame length is only a read-ahead hint.
			_, err = r.need(8)
		case opShortBinUnicode:
			err = r.pushString(1)
		case opBinUnicode:
			err = r.pushString(4)
		case opBinUnicode8:
			err = r.pushString(8)
		case opMemoize:
			if len(r.stack) == 0 {
				err = errors.New("pickle: MEMOIZE on an empty stack")
			}
		case opBinPut:
			_, err = r.need(1)
		case opLongBinPut:
			_, err = r.need(4)
		case opStop:
			return r.stop()
		default:
			return "", fmt.Errorf("pickle: unsupported opcode 0x%02x at byte %d (only a pickled str is accepted)", op, r.pos-1)
		}
		if err != nil {
			return "", err
		}
	}
}

// The pickle opcodes unpickleString accepts.
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

// pickleReader is unpickleString's position in the pickle and its stack.
type pickleReader struct {
	data  []byte
	pos   int
	stack []string
}

// need consumes the next n bytes.
func (r *pickleReader) need(n uint64) ([]byte, error) {
	if n > uint64(len(r.data)-r.pos) {
		return nil, fmt.Errorf("pickle: truncated at byte %d (need %d more bytes)", r.pos, n)
	}
	b := r.data[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// proto checks PROTO's protocol version.
func (r *pickleReader) proto() error {
	v, err := r.need(1)
	if err != nil {
		return err
	}
	if v[0] < 2 || v[0] > 5 {
		return fmt.Errorf("pickle: unsupported protocol %d", v[0])
	}
	return nil
}

// pushString reads a UTF-8 string preceded by its length, a little-endian
// integer of width bytes (1, 4 or 8), and pushes it.
func (r *pickleReader) pushString(width int) error {
	n, err := r.need(uint64(width))
	if err != nil {
		return err
	}
	var size uint64
	switch width {
	case 1:
		size = uint64(n[0])
	case 4:
		size = uint64(binary.LittleEndian.Uint32(n))
	default:
		size = binary.LittleEndian.Uint64(n)
	}
	b, err := r.need(size)
	if err != nil {
		return err
	}
	if !utf8.Valid(b) {
		return errors.New("pickle: string is not valid UTF-8")
	}
	r.stack = append(r.stack, string(b))
	return nil
}

// stop ends the pickle: exactly one value, and nothing after STOP.
func (r *pickleReader) stop() (string, error) {
	if len(r.stack) != 1 {
		return "", fmt.Errorf("pickle: STOP with %d values on the stack, want 1", len(r.stack))
	}
	if r.pos != len(r.data) {
		return "", fmt.Errorf("pickle: %d trailing bytes after STOP", len(r.data)-r.pos)
	}
	return r.stack[0], nil
}
