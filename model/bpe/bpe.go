// Package bpe is a byte-level byte-pair-encoding tokenizer: ids 0–255 are
// the bytes, then named special tokens, then one id per learned merge.
// Text is first cut into pieces that merges never cross: each ASCII digit
// is a piece of its own (so numbers are read digit by digit) and so is
// every maximal run of other bytes. Any byte string encodes, and decoding
// gives it back exactly.
package bpe

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Tokenizer encodes text to token ids and back. It is safe for
// concurrent use.
type Tokenizer struct {
	specials []string
	merges   [][2]int32
	vocab    [][]byte
	ranks    map[[2]int32]int32

	mu    sync.Mutex
	cache map[string][]int32
}

// Spec is a tokenizer's serialisable form.
type Spec struct {
	Specials []string   `json:"specials"`
	Merges   [][2]int32 `json:"merges"`
}

// ErrSpec marks an invalid tokenizer description.
var ErrSpec = errors.New("invalid tokenizer")

// New builds a tokenizer from its description.
func New(s Spec) (*Tokenizer, error) {
	t := &Tokenizer{specials: slices.Clone(s.Specials), ranks: map[[2]int32]int32{}, cache: map[string][]int32{}}
	for b := 0; b < 256; b++ {
		t.vocab = append(t.vocab, []byte{byte(b)})
	}
	for _, sp := range s.Specials {
		if sp == "" {
			return nil, fmt.Errorf("%w: empty special token", ErrSpec)
		}
		t.vocab = append(t.vocab, []byte(sp))
	}
	for i, m := range s.Merges {
		id := int32(len(t.vocab))
		for _, x := range m {
			if x < 0 || int(x) >= len(t.vocab) || (x >= 256 && int(x) < 256+len(s.Specials)) {
				return nil, fmt.Errorf("%w: merge %d refers to token %d", ErrSpec, i, x)
			}
		}
		if _, dup := t.ranks[m]; dup {
			return nil, fmt.Errorf("%w: merge %d repeats %v", ErrSpec, i, m)
		}
		t.ranks[m] = id
		t.merges = append(t.merges, m)
		t.vocab = append(t.vocab, append(slices.Clone(t.vocab[m[0]]), t.vocab[m[1]]...))
	}
	return t, nil
}

// Spec returns the tokenizer's description.
func (t *Tokenizer) Spec() Spec {
	return Spec{Specials: slices.Clone(t.specials), Merges: slices.Clone(t.merges)}
}

// VocabSize is the number of token ids.
func (t *Tokenizer) VocabSize() int { return len(t.vocab) }

// Special returns the id of a special token.
func (t *Tokenizer) Special(name string) (int32, bool) {
	i := slices.Index(t.specials, name)
	if i < 0 {
		return 0, false
	}
	return int32(256 + i), true
}

// pieces cuts text where merges may not cross.
func pieces(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= '0' && c <= '9' {
			if start < i {
				out = append(out, text[start:i])
			}
			out = append(out, text[i:i+1])
			start = i + 1
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// Encode returns the tokens of text. Special-token names in text are
// encoded as their bytes, never as the special tokens.
func (t *Tokenizer) Encode(text string) []int32 {
	var out []int32
	for _, p := range pieces(text) {
		out = append(out, t.encodePiece(p)...)
	}
	return out
}

func (t *Tokenizer) encodePiece(p string) []int32 {
	if len(p) == 1 {
		return []int32{int32(p[0])}
	}
	t.mu.Lock()
	cached, ok := t.cache[p]
	t.mu.Unlock()
	if ok {
		return cached
	}
	syms := make([]int32, len(p))
	for i := 0; i < len(p); i++ {
		syms[i] = int32(p[i])
	}
	for len(syms) > 1 {
		best, at := int32(-1), -1
		for i := 0; i+1 < len(syms); i++ {
			if id, ok := t.ranks[[2]int32{syms[i], syms[i+1]}]; ok && (best < 0 || id < best) {
				best, at = id, i
			}
		}
		if at < 0 {
			break
		}
		pair := [2]int32{syms[at], syms[at+1]}
		out := syms[:0]
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == pair[0] && syms[i+1] == pair[1] {
				out = append(out, best)
				i++
				continue
			}
			out = append(out, syms[i])
		}
		syms = out
	}
	syms = slices.Clip(syms)
	t.mu.Lock()
	if len(t.cache) > 1<<16 {
		clear(t.cache)
	}
	t.cache[p] = syms
	t.mu.Unlock()
	return syms
}

// Decode returns the text of tokens; out-of-range ids are skipped.
func (t *Tokenizer) Decode(tokens []int32) string {
	var b strings.Builder
	for _, id := range tokens {
		if id >= 0 && int(id) < len(t.vocab) {
			b.Write(t.vocab[id])
		}
	}
	return b.String()
}

// Token returns the bytes of one token.
func (t *Tokenizer) Token(id int32) string {
	if id < 0 || int(id) >= len(t.vocab) {
		return ""
	}
	return string(t.vocab[id])
}

// Train learns merges from texts until the vocabulary has vocabSize ids
// or no pair occurs at least twice. Ties between equally frequent pairs
// go to the smaller pair of ids, so training is deterministic.
func Train(texts []string, vocabSize int, specials []string) (*Tokenizer, error) {
	counts := map[string]int{}
	for _, text := range texts {
		for _, p := range pieces(text) {
			if len(p) > 1 {
				counts[p]++
			}
		}
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	slices.Sort(words)
	syms := make([][]int32, len(words))
	freq := make([]int, len(words))
	for i, w := range words {
		freq[i] = counts[w]
		for j := 0; j < len(w); j++ {
			syms[i] = append(syms[i], int32(w[j]))
		}
	}
	var merges [][2]int32
	next := int32(256 + len(specials))
	for int(next) < vocabSize {
		pairs := map[[2]int32]int{}
		for i, s := range syms {
			for j := 0; j+1 < len(s); j++ {
				pairs[[2]int32{s[j], s[j+1]}] += freq[i]
			}
		}
		var best [2]int32
		bestN := 1
		for p, n := range pairs {
			if n > bestN || (n == bestN && n > 1 && (p[0] < best[0] || (p[0] == best[0] && p[1] < best[1]))) {
				best, bestN = p, n
			}
		}
		if bestN < 2 {
			break
		}
		merges = append(merges, best)
		for i, s := range syms {
			out := s[:0]
			for j := 0; j < len(s); j++ {
				if j+1 < len(s) && s[j] == best[0] && s[j+1] == best[1] {
					out = append(out, next)
					j++
					continue
				}
				out = append(out, s[j])
			}
			syms[i] = out
		}
		next++
	}
	return New(Spec{Specials: specials, Merges: merges})
}
