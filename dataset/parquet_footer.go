package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// parquet-go trusts the lengths stored in a file (list and string lengths
// in the footer, page sizes and statistics in page headers) and allocates
// them up front, so a corrupt file can claim gigabytes and crash the
// process (an out-of-memory fault cannot be recovered). Before handing a
// file to parquet-go, checkParquet walks the footer's Thrift compact
// encoding and every page header of every column chunk and rejects any
// length that exceeds the bytes that remain, which bounds allocations by
// the file size.

// maxThriftDepth bounds struct nesting.
const maxThriftDepth = 64

// maxPageBytes bounds a page's uncompressed size (real pages are at most a
// few MiB; a claim beyond this is corruption).
const maxPageBytes = 1 << 30

// checkParquet validates the framing ("PAR1" ... footer, length, "PAR1"),
// the footer and the page headers.
func checkParquet(r io.ReaderAt, size int64) error {
	footer, err := readParquetFooter(r, size)
	if err != nil {
		return err
	}
	chunks, err := footerChunks(footer)
	if err != nil {
		return fmt.Errorf("corrupt footer: %w", err)
	}
	dataEnd := size - 8 - int64(len(footer))
	for i, ch := range chunks {
		if err := checkChunk(r, ch, dataEnd); err != nil {
			return fmt.Errorf("column chunk %d: %w", i, err)
		}
	}
	return nil
}

// readParquetFooter checks the magic bytes and returns the footer.
func readParquetFooter(r io.ReaderAt, size int64) ([]byte, error) {
	if size < 12 {
		return nil, errors.New("too short for a parquet file")
	}
	var head [4]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, err
	}
	if string(head[:]) != "PAR1" || string(tail[4:]) != "PAR1" {
		return nil, errors.New("missing PAR1 magic bytes")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n <= 0 || n > size-12 {
		return nil, fmt.Errorf("footer length %d does not fit in a %d-byte file", n, size)
	}
	footer := make([]byte, n)
	if _, err := r.ReadAt(footer, size-8-n); err != nil {
		return nil, err
	}
	return footer, nil
}

// footerChunks lists the column chunks of every row group in the footer
// (FileMetaData.row_groups[].columns[]).
func footerChunks(footer []byte) ([]chunkRange, error) {
	c := compactReader{data: footer}
	var chunks []chunkRange
	err := c.readStruct(0, func(id int16, typ byte) (bool, error) {
		if id != 4 || typ != 9 { // FileMetaData.row_groups
			return false, nil
		}
		return true, c.readList(0, func(typ byte) error {
			if typ != 12 {
				return fmt.Errorf("row group of type %d", typ)
			}
			return c.readStruct(1, func(id int16, typ byte) (bool, error) {
				if id != 1 || typ != 9 { // RowGroup.columns
					return false, nil
				}
				return true, c.readList(1, func(typ byte) error {
					if typ != 12 {
						return fmt.Errorf("column chunk of type %d", typ)
					}
					ch, err := c.readColumnChunk()
					chunks = append(chunks, ch)
					return err
				})
			})
		})
	})
	return chunks, err
}

// readColumnChunk reads a ColumnChunk's place in the file: its
// meta_data's total_compressed_size, data_page_offset and
// dictionary_page_offset.
func (c *compactReader) readColumnChunk() (chunkRange, error) {
	var ch chunkRange
	err := c.readStruct(2, func(id int16, typ byte) (bool, error) {
		if id != 3 || typ != 12 { // ColumnChunk.meta_data
			return false, nil
		}
		return true, c.readStruct(3, func(id int16, typ byte) (bool, error) {
			var dst *int64
			switch id { // ColumnMetaData
			case 7:
				dst = &ch.size
			case 9:
				dst = &ch.dataOffset
			case 11:
				dst = &ch.dictOffset
			default:
				return false, nil
			}
			if typ != 6 {
				return false, nil
			}
			v, err := c.zigzag()
			*dst = v
			return true, err
		})
	})
	return ch, err
}

// chunkRange locates one column chunk's pages.
type chunkRange struct {
	dataOffset, dictOffset, size int64
}

// checkChunk walks the page headers of one column chunk.
func checkChunk(r io.ReaderAt, ch chunkRange, dataEnd int64) error {
	start := ch.dataOffset
	if ch.dictOffset > 0 && ch.dictOffset < start {
		start = ch.dictOffset
	}
	if ch.size == 0 {
		return nil
	}
	if start < 4 || ch.size < 0 || start > dataEnd || ch.size > dataEnd-start {
		return fmt.Errorf("pages at %d+%d lie outside the data area (4..%d)", start, ch.size, dataEnd)
	}
	buf := make([]byte, ch.size)
	if _, err := r.ReadAt(buf, start); err != nil {
		return err
	}
	c := compactReader{data: buf}
	for c.pos < len(buf) {
		var compressed, uncompressed int64 = -1, -1
		err := c.readStruct(0, func(id int16, typ byte) (bool, error) {
			if (id != 2 && id != 3) || typ != 5 { // PageHeader sizes (i32)
				return false, nil
			}
			v, err := c.zigzag()
			if id == 2 {
				uncompressed = v
			} else {
				compressed = v
			}
			return true, err
		})
		if errors.Is(err, errThriftShort) {
			// Some writers understate the chunk size (the dictionary page
			// not counted); the rest lies beyond what we read.
			return nil
		}
		if err != nil {
			return fmt.Errorf("page header at %d: %w", start+int64(c.pos), err)
		}
		if compressed < 0 || uncompressed < 0 || uncompressed > maxPageBytes {
			return fmt.Errorf("page sizes %d/%d are invalid", compressed, uncompressed)
		}
		if compressed > int64(len(buf)-c.pos) {
			// Past the stated chunk size: acceptable only within the data.
			if compressed > dataEnd-start-int64(c.pos) {
				return fmt.Errorf("page of %d bytes at %d runs past the data area", compressed, start+int64(c.pos))
			}
			return nil
		}
		c.pos += int(compressed)
	}
	return nil
}

// compactReader skims Thrift compact-protocol data without decoding it.
type compactReader struct {
	data []byte
	pos  int
}

var errThriftShort = errors.New("truncated thrift data")

func (c *compactReader) byte() (byte, error) {
	if c.pos >= len(c.data) {
		return 0, errThriftShort
	}
	b := c.data[c.pos]
	c.pos++
	return b, nil
}

func (c *compactReader) varint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := c.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("varint too long")
}

func (c *compactReader) skipBytes(n uint64) error {
	if n > uint64(len(c.data)-c.pos) {
		return fmt.Errorf("length %d exceeds the %d bytes left", n, len(c.data)-c.pos)
	}
	c.pos += int(n)
	return nil
}

func (c *compactReader) zigzag() (int64, error) {
	u, err := c.varint()
	return int64(u>>1) ^ -int64(u&1), err
}

// readStruct reads a struct's fields, offering each to onField, which
// either consumes the value (true) or leaves it to be skipped (false).
func (c *compactReader) readStruct(depth int, onField func(id int16, typ byte) (bool, error)) error {
	if depth > maxThriftDepth {
		return errors.New("structs nested too deeply")
	}
	var id int16
	for {
		h, err := c.byte()
		if err != nil {
			return err
		}
		typ := h & 0x0f
		if typ == 0 { // STOP
			return nil
		}
		if delta := h >> 4; delta != 0 {
			id += int16(delta)
		} else { // long form: the field id follows
			v, err := c.zigzag()
			if err != nil {
				return err
			}
			id = int16(v)
		}
		if onField != nil {
			done, err := onField(id, typ)
			if err != nil {
				return err
			}
			if done {
				continue
			}
		}
		if err := c.skipValue(typ, depth); err != nil {
			return err
		}
	}
}

// readList reads a list header and calls each for every element, which
// must consume it.
func (c *compactReader) readList(depth int, each func(elem byte) error) error {
	h, err := c.byte()
	if err != nil {
		return err
	}
	n := uint64(h >> 4)
	if n == 15 {
		if n, err = c.varint(); err != nil {
			return err
		}
	}
	if n > uint64(len(c.data)-c.pos) {
		return fmt.Errorf("list of %d elements in %d bytes", n, len(c.data)-c.pos)
	}
	for i := uint64(0); i < n; i++ {
		if err := each(h & 0x0f); err != nil {
			return err
		}
	}
	return nil
}

func (c *compactReader) skipStruct(depth int) error { return c.readStruct(depth, nil) }

// skipElem skips a list or map element: unlike struct fields, booleans
// there take a byte of their own.
func (c *compactReader) skipElem(typ byte, depth int) error {
	if typ == 1 || typ == 2 {
		return c.skipBytes(1)
	}
	return c.skipValue(typ, depth)
}

func (c *compactReader) skipValue(typ byte, depth int) error {
	switch typ {
	case 1, 2: // boolean true/false, stored in the field header
		return nil
	case 3: // byte
		return c.skipBytes(1)
	case 4, 5, 6: // i16, i32, i64 (zigzag varints)
		_, err := c.varint()
		return err
	case 7: // double
		return c.skipBytes(8)
	case 8: // binary
		n, err := c.varint()
		if err != nil {
			return err
		}
		return c.skipBytes(n)
	case 9, 10: // list, set
		return c.readList(depth, func(elem byte) error { return c.skipElem(elem, depth) })
	case 11: // map
		n, err := c.varint()
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		kv, err := c.byte()
		if err != nil {
			return err
		}
		if n > uint64(len(c.data)-c.pos)/2 {
			return fmt.Errorf("map of %d entries in %d bytes", n, len(c.data)-c.pos)
		}
		for i := uint64(0); i < n; i++ {
			if err := c.skipElem(kv>>4, depth); err != nil {
				return err
			}
			if err := c.skipElem(kv&0x0f, depth); err != nil {
				return err
			}
		}
		return nil
	case 12: // struct
		return c.skipStruct(depth + 1)
	}
	return fmt.Errorf("unknown thrift type %d", typ)
}
