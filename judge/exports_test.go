package judge

import (
	"encoding/hex"
	"reflect"
	"testing"
)

// The tester gets only the exports it may take.
func TestExportsSanitized(t *testing.T) {
	// marshal.dumps(42) and marshal.dumps(compile('1', '', 'eval')) prefix.
	intValue := hex.EncodeToString([]byte{0xe9, 42, 0, 0, 0})
	codeValue := hex.EncodeToString([]byte{0xe3, 0, 0, 0, 0})
	in := exports{
		Functions: []string{"add", "__import__", "_rlef_neq", "ok_2", "2bad", "a-b", ""},
		Refs:      []string{"root", "__builtins__"},
		Modules: map[string]string{
			"math": "math", "np": "numpy", "path": "posixpath", "abc2": "collections.abc",
			"helper": "unittest.__main__", "u": "unittest", "m": "__main__", "ant": "antigravity",
			"priv": "numpy._core", "__x": "math",
		},
		Values: map[string]string{"MOD": intValue, "code": codeValue, "bad": "zz", "__v": intValue},
		Setup:  "ignored",
	}
	got := in.sanitized()
	want := exports{
		Functions: []string{"add", "ok_2"},
		Refs:      []string{"root"},
		Modules:   map[string]string{"math": "math", "np": "numpy", "path": "posixpath", "abc2": "collections.abc"},
		// Encoded again, without the reference flag Python set.
		Values: map[string]string{"MOD": hex.EncodeToString([]byte{'i', 42, 0, 0, 0})},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
