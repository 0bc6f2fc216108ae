package bpe

import (
	"errors"
	"strings"
	"testing"
)

var corpus = []string{
	"Your code failed the following tests:\n\n- input `0\n` failed:\nExpected output `7\n` but got `4\n`",
	"Your code failed the following tests:\n\n- input `12\n` failed:\nExpected output `3\n` but got `9\n`",
	"```python\nx = int(input())\nprint((x*3+7)%10)\n```",
	"```python\nx = int(input())\nprint((x*5+2)%10)\n```",
}

func TestTrainEncodeDecode(t *testing.T) {
	tok, err := Train(corpus, 400, []string{"<|user|>", "<|end|>"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() <= 258 {
		t.Fatalf("no merges learned (vocab %d)", tok.VocabSize())
	}
	for _, text := range append(corpus, "", "unseen text 123 ✓", "<|end|>") {
		ids := tok.Encode(text)
		if got := tok.Decode(ids); got != text {
			t.Fatalf("round trip of %q gave %q", text, got)
		}
		if len(text) > 20 && strings.Contains(corpus[0], text[:10]) && len(ids) >= len(text) {
			t.Errorf("%q not compressed: %d tokens", text, len(ids))
		}
	}
	// Digits are always single tokens.
	for _, id := range tok.Encode("x*1234+56") {
		s := tok.Token(id)
		if strings.ContainsAny(s, "0123456789") && len(s) != 1 {
			t.Fatalf("token %q mixes a digit with other bytes", s)
		}
	}
	// The template compresses to a few tokens.
	if n := len(tok.Encode(corpus[0])); n > 20 {
		t.Errorf("feedback encodes to %d tokens, want ≤ 20", n)
	}
	// Special tokens are addressable, never produced by Encode.
	end, ok := tok.Special("<|end|>")
	if !ok || tok.Token(end) != "<|end|>" {
		t.Fatalf("special token: %d %v", end, ok)
	}
	for _, id := range tok.Encode("<|end|>") {
		if id == end {
			t.Fatal("Encode produced a special token from text")
		}
	}
	// A spec round trip gives the same tokenizer.
	again, err := New(tok.Spec())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range corpus {
		a, b := tok.Encode(text), again.Encode(text)
		if len(a) != len(b) {
			t.Fatalf("rebuilt tokenizer differs on %q", text)
		}
	}
	// Training is deterministic.
	t2, _ := Train(corpus, 400, []string{"<|user|>", "<|end|>"})
	if len(t2.merges) != len(tok.merges) {
		t.Fatal("training is not deterministic")
	}
	for i := range t2.merges {
		if t2.merges[i] != tok.merges[i] {
			t.Fatalf("merge %d differs between two trainings", i)
		}
	}
}

func TestBadSpecs(t *testing.T) {
	for name, s := range map[string]Spec{
		"empty special":   {Specials: []string{""}},
		"unknown id":      {Merges: [][2]int32{{1, 999}}},
		"special in pair": {Specials: []string{"<s>"}, Merges: [][2]int32{{256, 1}}},
		"repeated merge":  {Merges: [][2]int32{{1, 2}, {1, 2}}},
	} {
		if _, err := New(s); !errors.Is(err, ErrSpec) {
			t.Errorf("%s: error %v, want ErrSpec", name, err)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	tok, err := Train(corpus, 350, nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range corpus {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := tok.Decode(tok.Encode(s)); got != s {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	})
}
