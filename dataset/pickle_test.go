package dataset

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// Pickles written by CPython 3.11's pickle.dumps(str, protocol=N).
var pythonPickles = []struct {
	proto int
	hex   string
	want  string
}{
	{2, "80025802000000686971002e", "hi"},
	{3, "80035802000000686971002e", "hi"},
	{4, "80049506000000000000008c026869942e", "hi"},
	{5, "80059506000000000000008c026869942e", "hi"},
	{2, "800258380000005b7b22696e707574223a2022315c6e222c20226f7574707574223a2022325c6e222c20227465737474797065223a2022737464696e227d5d71002e",
		`[{"input": "1\n", "output": "2\n", "testtype": "stdin"}]`},
	{4, "8004953c000000000000008c385b7b22696e707574223a2022315c6e222c20226f7574707574223a2022325c6e222c20227465737474797065223a2022737464696e227d5d942e",
		`[{"input": "1\n", "output": "2\n", "testtype": "stdin"}]`},
	// "é" * 200 (400 bytes, so BINUNICODE rather than SHORT_BINUNICODE)
	{3, "80035890010000" + strings.Repeat("c3a9", 200) + "71002e", strings.Repeat("é", 200)},
	{5, "80059597010000000000005890010000" + strings.Repeat("c3a9", 200) + "942e", strings.Repeat("é", 200)},
}

func TestUnpickleStringPythonOutput(t *testing.T) {
	for _, tc := range pythonPickles {
		data, err := hex.DecodeString(tc.hex)
		if err != nil {
			t.Fatal(err)
		}
		got, err := unpickleString(data)
		if err != nil {
			t.Errorf("protocol %d: %v", tc.proto, err)
			continue
		}
		if got != tc.want {
			t.Errorf("protocol %d: got %q, want %q", tc.proto, got, tc.want)
		}
	}
}

func TestUnpickleStringBinUnicode8(t *testing.T) {
	var b bytes.Buffer
	b.Write([]byte{0x80, 5, 0x8d})
	binary.Write(&b, binary.LittleEndian, uint64(3))
	b.WriteString("abc")
	b.Write([]byte{0x94, '.'})
	got, err := unpickleString(b.Bytes())
	if err != nil || got != "abc" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestUnpickleStringRejects(t *testing.T) {
	tests := []struct{ name, hex, wantErr string }{
		{"empty", "", "no STOP"},
		{"protocol 1", "8001", "unsupported protocol"},
		{"a list, not a str", "80045d942e", "unsupported opcode"},
		{"GLOBAL (code execution) is refused", "800463706f736978", "unsupported opcode"},
		{"length beyond data", "80048cff6869", "truncated"},
		{"huge BINUNICODE8 length", "80048dffffffffffffffff", "truncated"},
		{"two strings", "80048c01618c01622e", "2 values"},
		{"nothing on stack", "80042e", "0 values"},
		{"trailing bytes", "80048c0161942e00", "trailing"},
		{"invalid UTF-8", "80048c01ff942e", "UTF-8"},
		{"memoize empty", "8004942e", "MEMOIZE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := hex.DecodeString(tc.hex)
			_, err := unpickleString(data)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}

// pickleString encodes s the way CPython's protocol 4 does.
func pickleString(s string) []byte {
	var body bytes.Buffer
	if len(s) < 256 {
		body.Write([]byte{0x8c, byte(len(s))})
	} else {
		body.WriteByte('X')
		binary.Write(&body, binary.LittleEndian, uint32(len(s)))
	}
	body.WriteString(s)
	body.Write([]byte{0x94, '.'})
	var out bytes.Buffer
	out.Write([]byte{0x80, 4, 0x95})
	binary.Write(&out, binary.LittleEndian, uint64(body.Len()))
	out.Write(body.Bytes())
	return out.Bytes()
}

func FuzzUnpickleString(f *testing.F) {
	for _, tc := range pythonPickles {
		data, _ := hex.DecodeString(tc.hex)
		f.Add(data, tc.want)
	}
	f.Add([]byte{0x80, 4, 0x8c, 0xff}, "")
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		// Arbitrary bytes must never panic.
		_, _ = unpickleString(data)
		// Any valid string survives a round trip.
		if !isUTF8([]byte(s)) {
			return
		}
		got, err := unpickleString(pickleString(s))
		if err != nil || got != s {
			t.Fatalf("round trip of %q: got %q, %v", s, got, err)
		}
	})
}
