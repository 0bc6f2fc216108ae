package judge

import (
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/rlef/rlef/pyvalue"
)

// testerModules are the modules the tester imports when the candidate's
// module names them (a solution's `import math` that the tests use too).
// Nothing else is imported on the candidate's word: importing is running
// code, and some modules run more than definitions (unittest.__main__
// discovers and imports test files from the working directory).
var testerModules = map[string]bool{
	"abc": true, "array": true, "bisect": true, "cmath": true, "collections": true, "copy": true,
	"datetime": true, "decimal": true, "enum": true, "fractions": true, "functools": true,
	"hashlib": true, "heapq": true, "itertools": true, "json": true, "math": true, "numbers": true,
	"numpy": true, "operator": true, "os": true, "posixpath": true, "random": true, "re": true,
	"statistics": true, "string": true, "struct": true, "sys": true, "textwrap": true, "time": true,
	"typing": true, "unicodedata": true, "dataclasses": true,
}

// sanitized keeps of the candidate's exports only what the tester may
// take: names that are identifiers and not private, modules of the
// allowed list (or their public submodules), and values that are plain
// data, decoded and encoded again here as call answers are.
func (ex exports) sanitized() exports {
	out := exports{Values: map[string]string{}, Modules: map[string]string{}}
	for _, name := range ex.Functions {
		if exportName(name) {
			out.Functions = append(out.Functions, name)
		}
	}
	for _, name := range ex.Refs {
		if exportName(name) {
			out.Refs = append(out.Refs, name)
		}
	}
	for name, module := range ex.Modules {
		if exportName(name) && allowedModule(module) {
			out.Modules[name] = module
		}
	}
	for name, data := range ex.Values {
		if !exportName(name) {
			continue
		}
		if clean, ok := reencodeValue(data); ok {
			out.Values[name] = clean
		}
	}
	return out
}

// exportName: an identifier that is neither private to Python nor ours.
func exportName(name string) bool {
	if name == "" || strings.HasPrefix(name, "__") || strings.HasPrefix(name, "_rlef") {
		return false
	}
	for i, r := range name {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

// allowedModule: a module of testerModules or one of its submodules, no
// part of the name private.
func allowedModule(module string) bool {
	parts := strings.Split(module, ".")
	if !testerModules[parts[0]] {
		return false
	}
	for _, p := range parts {
		if !exportName(p) || strings.HasPrefix(p, "_") {
			return false
		}
	}
	return true
}

// reencodeValue decodes a value the candidate exported (marshal, in hex)
// and encodes it again: only plain data reaches the tester.
func reencodeValue(data string) (string, bool) {
	raw, err := hex.DecodeString(data)
	if err != nil {
		return "", false
	}
	v, err := pyvalue.DecodeMarshal(raw, valueLimits)
	if err != nil {
		return "", false
	}
	clean, err := pyvalue.EncodeMarshal(v)
	if err != nil {
		return "", false
	}
	return hex.EncodeToString(clean), true
}
