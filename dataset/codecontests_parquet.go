package dataset

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// loadCodeContestsParquet reads a HuggingFace deepmind/code_contests
// parquet file (data/{train,valid,test}-*.parquet).
func loadCodeContestsParquet(path string) (*Set, error) {
	b := newSetBuilder(path, standardSet("codecontests", false))
	sha, err := addCodeContestsParquet(b, path, new(int))
	if err != nil {
		return nil, err
	}
	b.set.Version = fileVersion(sha)
	return b.finish()
}

// LoadCodeContestsFiles reads several CodeContests files (the 39 parquet
// shards of the train split, say) into one set. See LoadCodeContests.
func LoadCodeContestsFiles(paths []string) (*Set, error) {
	if len(paths) == 1 {
		return LoadCodeContests(paths[0])
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("codecontests: no files given")
	}
	b := newSetBuilder(paths[0], standardSet("codecontests", false))
	var shas []string
	rows := 0
	for _, path := range paths {
		if !strings.EqualFold(filepath.Ext(path), ".parquet") {
			return nil, fmt.Errorf("%s: only parquet shards can be combined", path)
		}
		b.file = path
		sha, err := addCodeContestsParquet(b, path, &rows)
		if err != nil {
			return nil, err
		}
		shas = append(shas, sha)
	}
	b.set.Version = combinedVersion(shas)
	return b.finish()
}

// addCodeContestsParquet adds the problems of one parquet file to b. rows
// counts rows across files so repeated names get unique ids.
func addCodeContestsParquet(b *setBuilder, path string, rows *int) (string, error) {
	sha, err := fileSHA256(path)
	if err != nil {
		return "", err
	}
	t, err := openParquet(path)
	if err != nil {
		return "", err
	}
	defer t.Close()
	for _, col := range []string{"name", "description", "public_tests.input", "public_tests.output"} {
		if !t.has(col) {
			return "", fmt.Errorf("%s: not a CodeContests parquet file: no column %q", path, col)
		}
	}
	skipped := 0
	err = t.each(func(i int, r pqRow) error {
		where := fmt.Sprintf("%s: row %d", path, i)
		row, err := decodeCodeContestsParquetRow(r)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		*rows++
		return addCodeContestsRow(b, row, where, *rows-1, &skipped)
	})
	if err != nil {
		return "", err
	}
	logSkipped(path, skipped)
	return sha, nil
}

// decodeCodeContestsParquetRow converts one parquet row.
func decodeCodeContestsParquetRow(r pqRow) (*ccRow, error) {
	row := &ccRow{}
	var ok bool
	if row.Name, ok = r.str("name"); !ok {
		return nil, fmt.Errorf("problem has no name")
	}
	row.Description, _ = r.str("description")
	wrap := func(err error) error { return fmt.Errorf("problem %q: %w", row.Name, err) }
	var err error
	for _, s := range []struct {
		prefix string
		dst    *[]Test
	}{{"public_tests", &row.Public}, {"private_tests", &row.Private}, {"generated_tests", &row.Generated}} {
		if *s.dst, err = pairTests(r.strs(s.prefix+".input"), r.strs(s.prefix+".output"), s.prefix); err != nil {
			return nil, wrap(err)
		}
	}
	for _, s := range []struct {
		prefix string
		dst    *[]Solution
	}{{"solutions", &row.Solutions}, {"incorrect_solutions", &row.Incorrect}} {
		var langs []int64
		for _, l := range r.strs(s.prefix + ".language") {
			n, err := strconv.ParseInt(l, 10, 64)
			if err != nil {
				return nil, wrap(fmt.Errorf("%s.language: %q is not an integer", s.prefix, l))
			}
			langs = append(langs, n)
		}
		if *s.dst, err = ccSolutions(langs, r.strs(s.prefix+".solution"), s.prefix); err != nil {
			return nil, wrap(err)
		}
	}
	secs, _, err := r.int64("time_limit.seconds")
	if err != nil {
		return nil, wrap(err)
	}
	nanos, _, err := r.int64("time_limit.nanos")
	if err != nil {
		return nil, wrap(err)
	}
	row.TimeLimit = time.Duration(secs)*time.Second + time.Duration(nanos)
	if row.MemoryLimit, _, err = r.int64("memory_limit_bytes"); err != nil {
		return nil, wrap(err)
	}
	if row.Source, row.HasSource, err = r.int64("source"); err != nil {
		return nil, wrap(err)
	}
	if row.Difficulty, _, err = r.int64("difficulty"); err != nil {
		return nil, wrap(err)
	}
	if row.CFContestID, row.HasCF, err = r.int64("cf_contest_id"); err != nil {
		return nil, wrap(err)
	}
	row.CFIndex, _ = r.str("cf_index")
	if row.CFRating, row.HasRating, err = r.int64("cf_rating"); err != nil {
		return nil, wrap(err)
	}
	row.CFTags = r.strs("cf_tags")
	row.InputFile, _ = r.str("input_file")
	row.OutputFile, _ = r.str("output_file")
	return row, nil
}
