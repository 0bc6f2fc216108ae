package model

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckpointRoundTripAndCorruption(t *testing.T) {
	m := testPolicy(t)
	opt := NewAdamW(m.Config, 0.1)
	m.Grads[3] = 1
	if err := opt.Update(m, 1e-3); err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(map[string]any{"config": m.Config, "step": 1})
	ck := &Checkpoint{Meta: meta, Tensors: map[string][]float32{"params": m.Params, "adam.m": opt.M, "adam.v": opt.V, "empty": nil}}
	path := filepath.Join(t.TempDir(), "ck")
	if err := ck.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Meta) != string(meta) {
		t.Fatalf("meta %s, want %s", got.Meta, meta)
	}
	for name, want := range ck.Tensors {
		g := got.Tensors[name]
		if len(g) != len(want) {
			t.Fatalf("%s: %d values, want %d", name, len(g), len(want))
		}
		for i := range want {
			if g[i] != want[i] {
				t.Fatalf("%s[%d] = %v, want %v", name, i, g[i], want[i])
			}
		}
	}
	data, _ := os.ReadFile(path)
	for name, bad := range map[string][]byte{
		"truncated": data[:len(data)-9],
		"flipped":   flip(data, len(data)/2),
		"empty":     nil,
		"trailing":  append(append([]byte(nil), data...), 0),
	} {
		p := filepath.Join(t.TempDir(), name)
		os.WriteFile(p, bad, 0o644)
		if _, err := LoadCheckpoint(p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v, want ErrCorrupt", name, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x10
	return c
}

func FuzzLoadCheckpoint(f *testing.F) {
	ck := &Checkpoint{Meta: json.RawMessage(`{"a":1}`), Tensors: map[string][]float32{"x": {1, 2, 3}}}
	path := filepath.Join(f.TempDir(), "seed")
	if err := ck.Save(path); err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "ck")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ck, err := LoadCheckpoint(p)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		// Whatever loads must save and load back the same.
		p2 := filepath.Join(t.TempDir(), "again")
		if err := ck.Save(p2); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCheckpoint(p2); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAdamWAndClip(t *testing.T) {
	c := Config{Vocab: 3, Context: 2, Dim: 2, Layers: 1, Heads: 1, Head: HeadLM}
	m, err := New(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Params {
		m.Params[i] = 1
		m.Grads[i] = 0.5
	}
	o := NewAdamW(c, 0.1)
	if err := o.Update(m, 0.01); err != nil {
		t.Fatal(err)
	}
	// First step: m̂ = g, v̂ = g², so the update is lr·(g/|g| + wd·p) on
	// decayed tensors and lr·g/|g| elsewhere (eps aside).
	for _, ts := range c.Layout() {
		want := 1 - 0.01*(1+0.1)
		if !ts.Decay {
			want = 1 - 0.01
		}
		if got := m.Params[ts.Offset]; abs(float64(got)-want) > 1e-6 {
			t.Errorf("%s: %v after one step, want %v", ts.Name, got, want)
		}
	}
	for i := range m.Grads {
		m.Grads[i] = 3
	}
	n := ClipGradNorm(m, 1)
	var s float64
	for _, g := range m.Grads {
		s += float64(g) * float64(g)
	}
	if abs(n-3*sqrt(float64(len(m.Grads)))) > 1e-6 || abs(s-1) > 1e-5 {
		t.Errorf("clip: norm before %v, squared norm after %v", n, s)
	}
	if WarmupLR(1, 4, 0) != 0.25 || WarmupLR(1, 4, 3) != 1 || WarmupLR(1, 0, 0) != 1 {
		t.Error("warm-up schedule")
	}
}
