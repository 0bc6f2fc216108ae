package metrics

import (
	"math/bits"
	"slices"
	"unicode"
)

// chrF parameters: sacrebleu's defaults.
const (
	chrfOrder = 6 // character n-grams of order 1..6
	chrfBeta  = 2 // recall weighted twice as much as precision
)

// ChrF is the sentence-level character n-gram F-score (Popović 2015) of
// hyp against ref, with sacrebleu's defaults: white space removed, n-gram
// orders 1..6, β = 2, on a 0..1 scale (sacrebleu reports 100×).
//
// For each order n with n-grams on both sides, precision is
// matched/hyp-n-grams and recall matched/ref-n-grams, where matched is the
// multiset intersection (Σ min of counts). Precision and recall are
// averaged over those orders, then
//
//	chrF = (1+β²)·P·R / (β²·P + R),
//
// and 0 when no order has n-grams on both sides or P + R = 0 (so two empty
// strings score 0, as in sacrebleu). Characters are Unicode code points and
// white space is what unicode.IsSpace accepts.
func ChrF(hyp, ref string) float64 {
	h, r := stripSpace(hyp), stripSpace(ref)
	var match [chrfOrder]int
	if !packedMatches(h, r, &match) {
		for n := 1; n <= chrfOrder; n++ {
			match[n-1] = stringMatches(h, r, n)
		}
	}
	var sumP, sumR float64
	orders := 0
	for n := 1; n <= chrfOrder; n++ {
		nh, nr := len(h)-n+1, len(r)-n+1
		if nh <= 0 || nr <= 0 {
			break // longer n-grams are absent too
		}
		sumP += float64(match[n-1]) / float64(nh)
		sumR += float64(match[n-1]) / float64(nr)
		orders++
	}
	if orders == 0 {
		return 0
	}
	p, rec := sumP/float64(orders), sumR/float64(orders)
	if p+rec == 0 {
		return 0
	}
	const b2 = chrfBeta * chrfBeta
	return (1 + b2) * p * rec / (b2*p + rec)
}

// stripSpace returns s's code points without white space.
func stripSpace(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if !unicode.IsSpace(c) {
			out = append(out, c)
		}
	}
	return out
}

// packedMatches counts the matched n-grams of every order with one sort.
// Code points are numbered 1..A and each position's next six code points
// (0 past the end) are packed, first one most significant, into a key
// whose low bit says which string it came from. Sorting the keys of both
// strings makes equal n-grams of every order n contiguous, since they share
// the key's top n digits; a run whose n-th digit is 0 ran past the end. It
// returns false, counting nothing, when the keys do not fit in 64 bits
// (1024 or more distinct code points).
func packedMatches(h, r []rune, match *[chrfOrder]int) bool {
	hi, ri, width := numbered(h, r)
	if width*chrfOrder+1 > 64 {
		return false
	}
	keys := make([]uint64, 0, len(hi)+len(ri))
	for src, s := range [2][]uint64{hi, ri} {
		for i := range s {
			var k uint64
			for j := range chrfOrder {
				k <<= width
				if i+j < len(s) {
					k |= s[i+j]
				}
			}
			keys = append(keys, k<<1|uint64(src))
		}
	}
	slices.Sort(keys)
	digit := uint64(1)<<width - 1
	for n := 1; n <= chrfOrder; n++ {
		shift := 1 + width*(chrfOrder-n)
		for i := 0; i < len(keys); {
			prefix := keys[i] >> shift
			inRef := 0
			j := i
			for ; j < len(keys) && keys[j]>>shift == prefix; j++ {
				inRef += int(keys[j] & 1)
			}
			if prefix&digit != 0 {
				match[n-1] += min(j-i-inRef, inRef)
			}
			i = j
		}
	}
	return true
}

// numbered replaces the code points of a and b by numbers 1..A (A distinct
// code points) and returns the bits one number needs.
func numbered(a, b []rune) (na, nb []uint64, width int) {
	var ascii [128]uint64
	var other map[rune]uint64
	next := uint64(0)
	num := func(s []rune) []uint64 {
		out := make([]uint64, len(s))
		for i, c := range s {
			var id uint64
			if c >= 0 && c < 128 {
				if ascii[c] == 0 {
					next++
					ascii[c] = next
				}
				id = ascii[c]
			} else {
				if other == nil {
					other = map[rune]uint64{}
				}
				if id = other[c]; id == 0 {
					next++
					other[c] = next
					id = next
				}
			}
			out[i] = id
		}
		return out
	}
	na, nb = num(a), num(b)
	return na, nb, bits.Len64(next)
}

// stringMatches counts matched n-grams of order n keyed by string; used
// only for texts with too many distinct code points to pack.
func stringMatches(h, r []rune, n int) int {
	keys := func(s []rune) []string {
		if len(s) < n {
			return nil
		}
		out := make([]string, len(s)-n+1)
		for i := range out {
			out[i] = string(s[i : i+n])
		}
		slices.Sort(out)
		return out
	}
	a, b := keys(h), keys(r)
	m, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			m++
			i++
			j++
		}
	}
	return m
}
