package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"unicode/utf8"
)

// source reads one benchmark file, transparently gunzipping it (by content,
// not by name), and hashes both the bytes on disk (sha256) and the
// uncompressed content (md5, which is how EvalPlus identifies a dataset).
type source struct {
	path   string
	f      *os.File
	disk   hash.Hash // sha256 of the bytes on disk
	plain  hash.Hash // md5 of the uncompressed bytes
	r      *bufio.Reader
	gz     bool
	lineNo int
}

// openSource opens path for reading.
func openSource(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s := &source{path: path, f: f, disk: sha256.New(), plain: md5.New()}
	raw := bufio.NewReaderSize(io.TeeReader(f, s.disk), 1<<16)
	magic, _ := raw.Peek(2)
	var r io.Reader = raw
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: corrupt gzip header: %w", path, err)
		}
		s.gz = true
		r = zr
	}
	s.r = bufio.NewReaderSize(io.TeeReader(r, s.plain), 1<<20)
	return s, nil
}

// Close closes the file.
func (s *source) Close() error { return s.f.Close() }

// wrapReadErr names the file (and line) in a read error and says when a
// gzip stream was cut short.
func (s *source) wrapReadErr(err error) error {
	if s.gz && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader)) {
		return fmt.Errorf("%s:%d: truncated or corrupt gzip data: %w", s.path, s.lineNo+1, err)
	}
	return fmt.Errorf("%s:%d: read: %w", s.path, s.lineNo+1, err)
}

// eachLine calls fn for every non-blank line (without its line ending),
// with 1-based line numbers. Lines may be arbitrarily long. A line that is
// not valid UTF-8 is an error naming the file and line.
func (s *source) eachLine(fn func(lineNo int, line []byte) error) error {
	for {
		line, err := s.r.ReadBytes('\n')
		if err != nil && err != io.EOF {
			// A partial line before a read error (a cut gzip stream) is
			// not data.
			return s.wrapReadErr(err)
		}
		if len(line) > 0 {
			s.lineNo++
			line = bytes.TrimRight(line, "\r\n")
			if len(bytes.TrimSpace(line)) > 0 {
				if !utf8.Valid(line) {
					return fmt.Errorf("%s:%d: text is not valid UTF-8", s.path, s.lineNo)
				}
				if ferr := fn(s.lineNo, line); ferr != nil {
					return ferr
				}
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readAll returns the whole uncompressed content, which must be UTF-8.
func (s *source) readAll() ([]byte, error) {
	data, err := io.ReadAll(s.r)
	if err != nil {
		return nil, s.wrapReadErr(err)
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte{'\n'})
		return nil, fmt.Errorf("%s:%d: text is not valid UTF-8", s.path, line)
	}
	return data, nil
}

// finish drains what is left (so the hashes cover the whole file) and
// returns the sha256 of the bytes on disk and the md5 of the content.
func (s *source) finish() (sha256Hex, md5Hex string, err error) {
	if _, err := io.Copy(io.Discard, s.r); err != nil {
		return "", "", s.wrapReadErr(err)
	}
	// Drain the disk side too: gzip may stop before trailing bytes.
	if _, err := io.Copy(io.Discard, io.TeeReader(s.f, s.disk)); err != nil {
		return "", "", fmt.Errorf("%s: read: %w", s.path, err)
	}
	return hex.EncodeToString(s.disk.Sum(nil)), hex.EncodeToString(s.plain.Sum(nil)), nil
}

// firstInvalidUTF8 returns the offset of the first invalid UTF-8 sequence
// in b, or len(b).
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// lineAt returns the 1-based line number of byte offset off in data.
func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// fileVersion is the Version recorded for non-EvalPlus sets.
func fileVersion(sha256Hex string) string { return "sha256:" + sha256Hex }

// fileSHA256 hashes a file's bytes.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: read: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
