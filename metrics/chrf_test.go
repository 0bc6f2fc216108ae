package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestChrFHand(t *testing.T) {
	tests := []struct {
		name, hyp, ref string
		want           float64
	}{
		{"identical", "def f(x):\n    return x + 1\n", "def f(x):\n    return x + 1\n", 1},
		{"disjoint", "abc", "xyz", 0},
		{"white space ignored", "a b\tc\n", "abc", 1},
		// Orders 1..3 exist on both sides: P = R = 2/3, 1/2, 0; mean 7/18;
		// with P = R, chrF = P.
		{"one char differs", "abc", "abd", 7.0 / 18},
		// P = (1 + 1)/2, R = (2/4 + 1/3)/2 = 5/12: 5·P·R/(4P + R) = 25/53.
		{"recall weighted", "ab", "abab", 25.0 / 53},
		// Swapped: P = 5/12, R = 1: 5·(5/12)/(4·5/12 + 1) = 25/32.
		{"precision side", "abab", "ab", 25.0 / 32},
		// Code points: orders 1..5, P = R = (4/5 + 1/2 + 1/3 + 0 + 0)/5.
		{"unicode", "héllo", "hello", 49.0 / 150},
		{"single char", "a", "a", 1},
		{"both empty", "", "", 0},
		{"empty hypothesis", "", "abc", 0},
		{"only white space", " \n\t", "abc", 0},
	}
	for _, tc := range tests {
		near(t, tc.name, ChrF(tc.hyp, tc.ref), tc.want, 1e-12)
	}
}

// naiveChrF follows sacrebleu's sentence chrF literally: string n-grams,
// count dictionaries, multiset intersection, effective order.
func naiveChrF(hyp, ref string) float64 {
	strip := func(s string) []rune {
		return []rune(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), ""))
	}
	h, r := strip(hyp), strip(ref)
	ngrams := func(s []rune, n int) map[string]int {
		m := map[string]int{}
		for i := 0; i+n <= len(s); i++ {
			m[string(s[i:i+n])]++
		}
		return m
	}
	var sp, sr float64
	eff := 0
	for n := 1; n <= 6; n++ {
		hc, rc := ngrams(h, n), ngrams(r, n)
		th, tr, m := 0, 0, 0
		for g, c := range hc {
			th += c
			m += min(c, rc[g])
		}
		for _, c := range rc {
			tr += c
		}
		if th > 0 && tr > 0 {
			sp += float64(m) / float64(th)
			sr += float64(m) / float64(tr)
			eff++
		}
	}
	if eff == 0 {
		return 0
	}
	p, rec := sp/float64(eff), sr/float64(eff)
	if p+rec == 0 {
		return 0
	}
	return 5 * p * rec / (4*p + rec)
}

func TestChrFMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	alphabets := []string{"ab", "abc ", "abcdefgh\n", "if x: return y\n()=+-"}
	for i := range 300 {
		alpha := []rune(alphabets[i%len(alphabets)])
		gen := func() string {
			n := rng.IntN(40)
			s := make([]rune, n)
			for j := range s {
				s[j] = alpha[rng.IntN(len(alpha))]
			}
			return string(s)
		}
		h, r := gen(), gen()
		near(t, "ChrF vs naive "+h+" | "+r, ChrF(h, r), naiveChrF(h, r), 1e-12)
	}
}

// More than 1023 distinct characters: 6-grams no longer pack into 64 bits
// and the string path is used.
func TestChrFLargeAlphabet(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	mk := func(n int) string {
		s := make([]rune, n)
		for i := range s {
			s[i] = rune(0x4E00 + rng.IntN(1500))
		}
		return string(s)
	}
	h := mk(3000)
	r := h[:len(h)/2] + mk(1500)
	got := ChrF(h, r)
	near(t, "large alphabet", got, naiveChrF(h, r), 1e-12)
	near(t, "large alphabet identical", ChrF(h, h), 1, 1e-12)
	if math.IsNaN(got) || got <= 0 || got >= 1 {
		t.Errorf("ChrF = %v, want strictly between 0 and 1", got)
	}
	// Exactly 1023 distinct code points: the widest alphabet that packs.
	all := make([]rune, 1023)
	for i := range all {
		all[i] = rune(0x4E00 + i)
	}
	a := string(all) + string(all[:500])
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	b := string(all)
	near(t, "1023 code points", ChrF(a, b), naiveChrF(a, b), 1e-12)
	var m [chrfOrder]int
	if !packedMatches([]rune(a), []rune(b), &m) {
		t.Error("1023 code points did not pack")
	}
	if packedMatches([]rune(h), []rune(r), &m) {
		t.Error("1500 code points packed")
	}
}
