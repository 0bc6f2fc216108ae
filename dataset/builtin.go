package dataset

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// builtinFS holds rlef's own default benchmark: twelve original problems,
// one directory each. problem.json is a problem in the custom format
// without statement and code; next to it are statement.md (stdio) or
// prompt.py (function problems: signature and docstring, used as both
// Statement and StarterCode), reference.py, optionally reference.cpp, and
// optionally incorrect.py (a known-wrong program).
//
//go:embed builtin
var builtinFS embed.FS

// LoadBuiltin returns the built-in benchmark ("builtin"). It needs no
// files: the problems are compiled into the binary. Version is a hash of
// the embedded files.
func LoadBuiltin() (*Set, error) {
	return loadBuiltinFS(builtinFS, "builtin")
}

// loadBuiltinFS reads problems from dir in fsys.
func loadBuiltinFS(fsys fs.FS, dir string) (*Set, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("builtin: %w", err)
	}
	b := newSetBuilder("builtin", standardSet("builtin", false))
	h := sha256.New()
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		p, err := loadBuiltinProblem(fsys, path.Join(dir, name), h)
		if err != nil {
			return nil, fmt.Errorf("builtin/%s: %w", name, err)
		}
		p.Meta[MetaSourceFile] = name
		if err := b.addAt(p, "builtin/"+name); err != nil {
			return nil, err
		}
	}
	b.set.Version = fileVersion(hex.EncodeToString(h.Sum(nil)))
	return b.finish()
}

// loadBuiltinProblem assembles one problem directory, feeding every file
// it reads into h.
func loadBuiltinProblem(fsys fs.FS, dir string, h interface{ Write([]byte) (int, error) }) (*Problem, error) {
	read := func(name string) (string, bool, error) {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		h.Write([]byte(path.Join(dir, name) + "\x00"))
		h.Write(data)
		return string(data), true, nil
	}
	js, ok, err := read("problem.json")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("no problem.json")
	}
	v, err := parsePyJSON([]byte(js))
	if err != nil {
		return nil, fmt.Errorf("problem.json: %w", err)
	}
	p, err := decodeCustomProblem(&v)
	if err != nil {
		return nil, fmt.Errorf("problem.json: %w", err)
	}
	if p.Meta == nil {
		p.Meta = map[string]string{}
	}
	p.Meta[MetaPublicSource] = PublicFromDataset
	if statement, ok, err := read("statement.md"); err != nil {
		return nil, err
	} else if ok {
		p.Statement = strings.TrimSpace(statement) + "\n"
	}
	if prompt, ok, err := read("prompt.py"); err != nil {
		return nil, err
	} else if ok {
		p.Statement = prompt
		p.StarterCode = prompt
	}
	if p.Statement == "" {
		return nil, errors.New("no statement.md or prompt.py")
	}
	for _, f := range []struct {
		file, lang string
		dst        *[]Solution
	}{
		{"reference.py", "python", &p.Solutions},
		{"reference.cpp", "cpp", &p.Solutions},
		{"incorrect.py", "python", &p.Incorrect},
		{"incorrect.cpp", "cpp", &p.Incorrect},
	} {
		code, ok, err := read(f.file)
		if err != nil {
			return nil, err
		}
		if ok {
			*f.dst = append(*f.dst, Solution{Language: f.lang, Code: code})
		}
	}
	if len(p.Solutions) == 0 {
		return nil, errors.New("no reference.py")
	}
	return p, nil
}
