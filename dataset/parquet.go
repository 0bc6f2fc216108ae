package dataset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// pqTable reads rows of a parquet file by logical column name, independent
// of how the writer spelled list wrappers ("list"/"element" in current
// pyarrow, "list"/"item" in older pyarrow and in HuggingFace's files,
// "bag"/"array" elsewhere). A logical name is the path of field names with
// the list wrapper levels removed, e.g. "public_tests.input" or
// "time_limit.seconds".
type pqTable struct {
	path   string
	file   *parquet.File
	closer io.Closer
	cols   map[string]pqColumn
}

// pqColumn locates one leaf column.
type pqColumn struct {
	index   int
	maxDef  int
	elemDef int  // definition level at which a list element exists
	list    bool // the column is a (single-level) list of leaves
}

// openParquet opens path and maps its leaf columns.
func openParquet(path string) (*pqTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := checkParquet(f, st.Size()); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a readable parquet file: %w", path, err)
	}
	pf, err := openParquetFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a readable parquet file: %w", path, err)
	}
	t := &pqTable{path: path, file: pf, closer: f, cols: map[string]pqColumn{}}
	t.mapColumns(pf.Schema(), nil, nil, 0, -1)
	return t, nil
}

// openParquetFile wraps parquet.OpenFile, turning a panic on a corrupt
// file into an error.
func openParquetFile(r io.ReaderAt, size int64) (pf *parquet.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt parquet file: %v", p)
		}
	}()
	return parquet.OpenFile(r, size)
}

// Close closes the file.
func (t *pqTable) Close() error { return t.closer.Close() }

func (t *pqTable) mapColumns(node parquet.Node, physical, logical []string, def, elemDef int) {
	for _, field := range node.Fields() {
		d := def
		if field.Optional() || field.Repeated() {
			d++
		}
		phys := append(append([]string(nil), physical...), field.Name())
		log := logical
		ed := elemDef
		if field.Repeated() {
			ed = d
			// The repeated level is a wrapper, and so is its only child
			// when it is a group (3-level lists).
			if !field.Leaf() && len(field.Fields()) == 1 {
				inner := field.Fields()[0]
				innerDef := d
				if inner.Optional() || inner.Repeated() {
					innerDef++
				}
				innerPhys := append(phys, inner.Name())
				if inner.Leaf() {
					t.addLeaf(innerPhys, log, ed)
				} else {
					t.mapColumns(inner, innerPhys, log, innerDef, ed)
				}
				continue
			}
		} else {
			log = append(append([]string(nil), logical...), field.Name())
		}
		if field.Leaf() {
			t.addLeaf(phys, log, ed)
			continue
		}
		t.mapColumns(field, phys, log, d, ed)
	}
}

func (t *pqTable) addLeaf(physical, logical []string, elemDef int) {
	leaf, ok := t.file.Schema().Lookup(physical...)
	if !ok {
		return
	}
	t.cols[strings.Join(logical, ".")] = pqColumn{
		index:   leaf.ColumnIndex,
		maxDef:  leaf.MaxDefinitionLevel,
		elemDef: elemDef,
		list:    elemDef >= 0,
	}
}

// has reports whether the file has a logical column.
func (t *pqTable) has(name string) bool { _, ok := t.cols[name]; return ok }

// pqRow is one row, its values grouped by column index.
type pqRow struct {
	t      *pqTable
	values map[int][]parquet.Value
}

// each calls fn for every row with its 0-based index.
func (t *pqTable) each(fn func(i int, r pqRow) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: corrupt parquet data: %v", t.path, p)
		}
	}()
	index := 0
	buf := make([]parquet.Row, 8)
	for _, rg := range t.file.RowGroups() {
		rows := rg.Rows()
		for {
			n, rerr := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				r := pqRow{t: t, values: map[int][]parquet.Value{}}
				for _, v := range row {
					r.values[v.Column()] = append(r.values[v.Column()], v)
				}
				if err := fn(index, r); err != nil {
					rows.Close()
					return err
				}
				index++
			}
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				rows.Close()
				return fmt.Errorf("%s: row %d: %w", t.path, index, rerr)
			}
			if n == 0 {
				break
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
	}
	return nil
}

// valueString renders a leaf value as text.
func valueString(v parquet.Value) string {
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	}
	return v.String()
}

// str returns a scalar column's value; ok is false when the column is
// missing or the value is null.
func (r pqRow) str(name string) (string, bool) {
	c, ok := r.t.cols[name]
	if !ok || c.list {
		return "", false
	}
	vs := r.values[c.index]
	if len(vs) == 0 || vs[0].DefinitionLevel() < c.maxDef {
		return "", false
	}
	return valueString(vs[0]), true
}

// int64 returns a scalar integer column's value.
func (r pqRow) int64(name string) (int64, bool, error) {
	s, ok := r.str(name)
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("column %s: %q is not an integer", name, s)
	}
	return n, true, nil
}

// strs returns a list column's elements (null elements as ""); nil when
// the column is missing or the list is null or empty.
func (r pqRow) strs(name string) []string {
	c, ok := r.t.cols[name]
	if !ok || !c.list {
		return nil
	}
	var out []string
	for _, v := range r.values[c.index] {
		if v.DefinitionLevel() < c.elemDef {
			continue // null or empty list
		}
		if v.DefinitionLevel() < c.maxDef {
			out = append(out, "")
			continue
		}
		out = append(out, valueString(v))
	}
	return out
}
