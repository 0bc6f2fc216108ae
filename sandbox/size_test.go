package sandbox

import "testing"

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"256MiB", 256 << 20, true},
		{"1GiB", 1 << 30, true},
		{"512M", 512 << 20, true},
		{"64k", 64 << 10, true},
		{"1048576", 1 << 20, true},
		{"1.5G", 3 << 29, true},
		{"100MB", 100e6, true},
		{" 2 GiB ", 2 << 30, true},
		{"", 0, false},
		{"MiB", 0, false},
		{"12 parsecs", 0, false},
		{"1e400", 0, false},
		{"99999999999999T", 0, false},
	} {
		got, err := ParseBytes(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"256MiB", "1.5G", "0", "-1", "1e9", ".", "9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBytes(s)
		if err == nil && v < 0 {
			t.Fatalf("ParseBytes(%q) = %d, a negative size without error", s, v)
		}
	})
}
