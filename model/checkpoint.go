package model

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"

	"github.com/rlef/rlef/internal/atomicfile"
)

// Checkpoint is what a checkpoint file holds: JSON metadata of the
// caller's choosing and named float32 tensors (parameters, optimizer
// moments).
type Checkpoint struct {
	Meta    json.RawMessage
	Tensors map[string][]float32
}

// File layout: magic, then a little-endian uint32 header length, the JSON
// header (meta and the tensors' names and lengths in order), the tensors'
// float32 values little-endian, and a CRC-32 (IEEE) of everything before
// it.
const checkpointMagic = "RLEFCKPT1\n"

// ErrCorrupt marks a checkpoint file that is truncated, altered or not a
// checkpoint.
var ErrCorrupt = errors.New("corrupt checkpoint")

type ckHeader struct {
	Meta    json.RawMessage `json:"meta"`
	Tensors []ckTensor      `json:"tensors"`
}

type ckTensor struct {
	Name string `json:"name"`
	Len  int    `json:"len"`
}

// Save writes ck to path atomically: a crash leaves the previous file or
// the new one.
func (ck *Checkpoint) Save(path string) error {
	names := make([]string, 0, len(ck.Tensors))
	for n := range ck.Tensors {
		names = append(names, n)
	}
	slices.Sort(names)
	h := ckHeader{Meta: ck.Meta}
	if len(h.Meta) == 0 {
		h.Meta = json.RawMessage("null")
	}
	for _, n := range names {
		h.Tensors = append(h.Tensors, ckTensor{Name: n, Len: len(ck.Tensors[n])})
	}
	head, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("checkpoint header: %w", err)
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		crc := crc32.NewIEEE()
		mw := io.MultiWriter(w, crc)
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(head)))
		for _, b := range [][]byte{[]byte(checkpointMagic), n[:], head} {
			if _, err := mw.Write(b); err != nil {
				return err
			}
		}
		buf := make([]byte, 0, 1<<16)
		for _, name := range names {
			for _, v := range ck.Tensors[name] {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) == cap(buf) {
					if _, err := mw.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		}
		if _, err := mw.Write(buf); err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(n[:], crc.Sum32())
		_, err := w.Write(n[:])
		return err
	})
}

// LoadCheckpoint reads a checkpoint file, verifying its checksum.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint: %w", err)
	}
	defer f.Close()
	ck, err := readCheckpoint(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return ck, nil
}

func readCheckpoint(r io.Reader) (*Checkpoint, error) {
	crc := crc32.NewIEEE()
	tr := io.TeeReader(r, crc)
	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(tr, magic); err != nil || string(magic) != checkpointMagic {
		return nil, fmt.Errorf("%w: not an rlef checkpoint", ErrCorrupt)
	}
	var n [4]byte
	if _, err := io.ReadFull(tr, n[:]); err != nil {
		return nil, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	hl := binary.LittleEndian.Uint32(n[:])
	if hl > 1<<30 {
		return nil, fmt.Errorf("%w: header of %d bytes", ErrCorrupt, hl)
	}
	head := make([]byte, hl)
	if _, err := io.ReadFull(tr, head); err != nil {
		return nil, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	var h ckHeader
	if err := json.Unmarshal(head, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	ck := &Checkpoint{Meta: h.Meta, Tensors: map[string][]float32{}}
	buf := make([]byte, 1<<16)
	for _, t := range h.Tensors {
		if t.Len < 0 || t.Len > 1<<31 {
			return nil, fmt.Errorf("%w: tensor %s of %d values", ErrCorrupt, t.Name, t.Len)
		}
		vals := make([]float32, 0, min(t.Len, 1<<24))
		for left := t.Len; left > 0; {
			k := min(left, len(buf)/4)
			if _, err := io.ReadFull(tr, buf[:4*k]); err != nil {
				return nil, fmt.Errorf("%w: tensor %s truncated", ErrCorrupt, t.Name)
			}
			for i := 0; i < k; i++ {
				vals = append(vals, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
			}
			left -= k
		}
		ck.Tensors[t.Name] = vals
	}
	sum := crc.Sum32()
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("%w: missing checksum", ErrCorrupt)
	}
	if binary.LittleEndian.Uint32(n[:]) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	if _, err := r.Read(n[:1]); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrCorrupt)
	}
	return ck, nil
}
