package dataset

import (
	"fmt"
	"path/filepath"
)

// setBuilder collects problems read from one file, validating each and
// rejecting duplicate ids with the file and line of both occurrences.
type setBuilder struct {
	file string
	set  *Set
	seen map[string]string // id -> where it was first read
}

func newSetBuilder(file string, set *Set) *setBuilder {
	return &setBuilder{file: file, set: set, seen: map[string]string{}}
}

// add validates p and appends it. line is where p was read (0 if the format
// has no lines, e.g. a parquet row index is reported as "row N" instead).
func (b *setBuilder) add(p *Problem, line int) error {
	return b.addAt(p, fmt.Sprintf("%s:%d", b.file, line))
}

// addAt is add with a free-form location ("file:line", "file: row 3").
func (b *setBuilder) addAt(p *Problem, where string) error {
	if p.Benchmark == "" {
		p.Benchmark = b.set.Name
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if first, dup := b.seen[p.ID]; dup {
		return fmt.Errorf("%s: duplicate task id %q (first at %s)", where, p.ID, first)
	}
	b.seen[p.ID] = where
	if p.Meta == nil {
		p.Meta = map[string]string{}
	}
	if _, ok := p.Meta[MetaSourceFile]; !ok {
		p.Meta[MetaSourceFile] = filepath.Base(b.file)
	}
	b.set.Problems = append(b.set.Problems, p)
	return nil
}

// finish returns the set, refusing an empty one.
func (b *setBuilder) finish() (*Set, error) {
	if len(b.set.Problems) == 0 {
		return nil, fmt.Errorf("%s: no problems found", b.file)
	}
	if err := b.set.BuildIndex(); err != nil {
		return nil, fmt.Errorf("%s: %w", b.file, err)
	}
	return b.set, nil
}

// standardSet returns an empty set with the usual suite names.
func standardSet(name string, passNeedsPublic bool) *Set {
	return &Set{Name: name, PublicSuite: "public", PrivateSuite: "private", PassNeedsPublic: passNeedsPublic}
}
