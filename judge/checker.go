package judge

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/textclip"
)

// Check compares a program's output with the expected output by the named
// checker; detail says where they differ. Unknown checkers compare tokens.
func Check(checker dataset.Checker, output, expected string) (ok bool, detail string) {
	switch checker {
	case dataset.CheckLines:
		return checkLines(output, expected)
	case dataset.CheckExact:
		return checkExact(output, expected)
	}
	return checkTokens(output, expected)
}

// ---------------------------------------------------------------- tokens

// checkTokens is DeepMind code_contests' OutputsMatch
// (execution/tester_sandboxer.cc): split both texts on the characters
// " \n\t\r\v" (not \f), lower-case ASCII letters, and require the same
// number of tokens; tokens match when equal as strings or, when both parse
// as numbers (absl::SimpleAtod), when they differ by less than 1e-5 in
// absolute value ("nan" never matches "nan" unless the whole outputs are
// token-for-token equal). Integers are compared exactly (see
// ccValuesMatch).
func checkTokens(output, expected string) (bool, string) {
	out, exp := ccTokens(output), ccTokens(expected)
	if len(out) != len(exp) {
		return false, fmt.Sprintf("expected %d tokens, got %d", len(exp), len(out))
	}
	if equalStrings(out, exp) {
		return true, ""
	}
	for i := range out {
		if !ccValuesMatch(out[i], exp[i]) {
			return false, fmt.Sprintf("token %d: expected %s, got %s", i+1, quoteClip(exp[i]), quoteClip(out[i]))
		}
	}
	return true, ""
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ccTokens is SplitAndLowercase.
func ccTokens(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\v'
	})
	for i, f := range fields {
		fields[i] = asciiLower(f)
	}
	return fields
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// ccValuesMatch is ValuesMatch, except that integers beyond a double's
// exact range are matched exactly. DeepMind's checker compares numbers as
// doubles with the float tolerance, so a wrong answer of more than 15
// digits passes (printed as an integer, with ".0" or in exponent form):
// for a reward that is a hole. Two integer tokens are compared exactly;
// an expected integer of magnitude 2^53 or more matches only the same
// number, however written ("…0.0", "…e+23"); below that, where a double
// holds every integer, the tolerance applies as in DeepMind's checker.
func ccValuesMatch(got, want string) bool {
	if wi, ok := parseInteger(want); ok {
		if gi, ok := parseInteger(got); ok {
			return gi.Cmp(wi) == 0
		}
		if _, ok := simpleAtod(got); ok && new(big.Int).Abs(wi).Cmp(maxExactDouble) >= 0 {
			gr, ok := exactDecimal(got, len(want))
			return ok && gr.IsInt() && gr.Num().Cmp(wi) == 0
		}
	}
	wd, wantNum := simpleAtod(want)
	gd, gotNum := simpleAtod(got)
	if !wantNum || !gotNum {
		return got == want
	}
	return math.Abs(gd-wd) < 1e-5
}

// maxExactDouble is 2^53: every integer below it is a double.
var maxExactDouble = new(big.Int).Lsh(big.NewInt(1), 53)

// exactDecimal reads a finite decimal token (sign, digits, fraction,
// exponent) as an exact rational. Values whose exponent puts them far
// beyond digits decimal digits are refused (ok false) rather than
// expanded.
func exactDecimal(s string, digits int) (*big.Rat, bool) {
	s = strings.TrimPrefix(s, "+")
	mant, exp, hasExp := strings.Cut(asciiLower(s), "e")
	if hasExp {
		e, err := strconv.Atoi(exp)
		if err != nil || e > digits+len(mant)+1 || e < -(digits+len(mant)+1) {
			return nil, false
		}
	}
	body := strings.TrimPrefix(mant, "-")
	if body == "" || body == "." || strings.Count(body, ".") > 1 {
		return nil, false
	}
	for i := 0; i < len(body); i++ {
		if !isDigit(body[i]) && body[i] != '.' {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// parseInteger reads a token that is an integer: an optional sign and
// decimal digits.
func parseInteger(s string) (*big.Int, bool) {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-")
	if len(s)-len(digits) > 1 || digits == "" {
		return nil, false
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return nil, false
		}
	}
	return new(big.Int).SetString(s, 10)
}

// simpleAtod is absl::SimpleAtod on a token without whitespace: an
// optional '+' (not followed by '-'), then what absl::from_chars accepts
// in general format: an optional '-', a decimal number with optional
// fraction and exponent, or inf, infinity, nan, nan(chars). Out-of-range
// values become ±Inf.
func simpleAtod(s string) (float64, bool) {
	if strings.HasPrefix(s, "+") {
		s = s[1:]
		if strings.HasPrefix(s, "-") {
			return 0, false
		}
	}
	body := strings.TrimPrefix(s, "-")
	if body == "" {
		return 0, false
	}
	low := asciiLower(body)
	switch {
	case low == "inf" || low == "infinity":
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case low == "nan":
		return math.NaN(), true
	case strings.HasPrefix(low, "nan(") && strings.HasSuffix(low, ")"):
		for _, c := range low[4 : len(low)-1] {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '_') {
				return 0, false
			}
		}
		return math.NaN(), true
	}
	if !isDecimalFloat(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if !(asNumError(err, &ne) && ne.Err == strconv.ErrRange) {
			return 0, false
		}
	}
	return f, true
}

func asNumError(err error, target **strconv.NumError) bool {
	ne, ok := err.(*strconv.NumError)
	if ok {
		*target = ne
	}
	return ok
}

// isDecimalFloat reports whether s is digits[.digits][e[+-]digits] with at
// least one mantissa digit (".5" and "5." count).
func isDecimalFloat(s string) bool {
	i, digits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ---------------------------------------------------------------- lines

// checkLines is LiveCodeBench's grade_stdio comparison
// (lcb_runner/evaluation/testing_util.py): strip both texts, split them on
// "\n", strip every line, and require the same number of lines; lines
// match when equal, or when both split into whitespace-separated tokens
// that all parse as Python Decimals and the two Decimal lists are equal.
// Stripping and splitting use Python's notion of whitespace.
func checkLines(output, expected string) (bool, string) {
	out, exp := pyStrippedLines(output), pyStrippedLines(expected)
	if len(out) != len(exp) {
		return false, fmt.Sprintf("expected %d lines, got %d", len(exp), len(out))
	}
	for i := range out {
		if out[i] == exp[i] {
			continue
		}
		if !decimalLinesEqual(out[i], exp[i]) {
			return false, fmt.Sprintf("line %d: expected %s, got %s", i+1, quoteClip(exp[i]), quoteClip(out[i]))
		}
	}
	return true, ""
}

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

func pyStrippedLines(s string) []string {
	lines := strings.Split(pyStrip(s), "\n")
	for i, l := range lines {
		lines[i] = pyStrip(l)
	}
	return lines
}

func decimalLinesEqual(a, b string) bool {
	at := strings.FieldsFunc(a, pyIsSpace)
	bt := strings.FieldsFunc(b, pyIsSpace)
	av := make([]pyDecimal, len(at))
	for i, t := range at {
		d, ok := parsePyDecimal(t)
		if !ok {
			return false
		}
		av[i] = d
	}
	bv := make([]pyDecimal, len(bt))
	for i, t := range bt {
		d, ok := parsePyDecimal(t)
		if !ok {
			return false
		}
		bv[i] = d
	}
	if len(av) != len(bv) {
		return false
	}
	for i := range av {
		if !av[i].equal(bv[i]) {
			return false
		}
	}
	return true
}

// pyDecimal is a parsed Python Decimal reduced to what equality needs:
// finite values as sign × digits × 10^exp with digits free of leading and
// trailing zeros (zero has no digits and any sign), or ±Infinity, or NaN.
type pyDecimal struct {
	kind   byte // 'f' finite, 'i' infinity, 'n' NaN (never equal)
	neg    bool
	digits string
	exp    *big.Int
}

func (d pyDecimal) equal(e pyDecimal) bool {
	switch {
	case d.kind == 'n' || e.kind == 'n':
		return false
	case d.kind != e.kind:
		return false
	case d.kind == 'i':
		return d.neg == e.neg
	case d.digits == "" || e.digits == "":
		return d.digits == e.digits // zero equals only zero, whatever the sign
	}
	return d.neg == e.neg && d.digits == e.digits && d.exp.Cmp(e.exp) == 0
}

// parsePyDecimal parses what decimal.Decimal(str) accepts for a token
// without whitespace: underscores are ignored anywhere (CPython removes
// them before parsing), then [sign] (digits [. [digits]] | . digits)
// [(e|E) [sign] digits], or [sign] Inf/Infinity, or [sign] NaN/sNaN with
// optional digits, case-insensitively. Unicode decimal digits count as
// their ASCII equivalents, as in CPython.
func parsePyDecimal(tok string) (pyDecimal, bool) {
	var d pyDecimal
	s, ok := decimalASCII(tok)
	if !ok || s == "" {
		return d, false
	}
	if s[0] == '+' || s[0] == '-' {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	low := asciiLower(s)
	switch {
	case low == "inf" || low == "infinity":
		d.kind = 'i'
		return d, true
	case strings.HasPrefix(low, "nan") || strings.HasPrefix(low, "snan"):
		rest := strings.TrimPrefix(strings.TrimPrefix(low, "s"), "nan")
		for i := 0; i < len(rest); i++ {
			if !isDigit(rest[i]) {
				return d, false
			}
		}
		d.kind = 'n'
		return d, true
	}
	mant, expPart := s, ""
	if k := strings.IndexAny(s, "eE"); k >= 0 {
		mant, expPart = s[:k], s[k+1:]
	}
	intPart, frac := mant, ""
	if k := strings.IndexByte(mant, '.'); k >= 0 {
		intPart, frac = mant[:k], mant[k+1:]
	}
	if intPart == "" && frac == "" {
		return d, false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return d, false
			}
		}
	}
	exp := new(big.Int)
	if expPart != "" || strings.ContainsAny(s, "eE") {
		e := expPart
		if strings.HasPrefix(e, "+") || strings.HasPrefix(e, "-") {
			e = e[1:]
		}
		if e == "" {
			return d, false
		}
		for i := 0; i < len(e); i++ {
			if !isDigit(e[i]) {
				return d, false
			}
		}
		if _, ok := exp.SetString(expPart, 10); !ok {
			return d, false
		}
	}
	digits := intPart + frac
	exp.Sub(exp, big.NewInt(int64(len(frac))))
	digits = strings.TrimLeft(digits, "0")
	trimmed := strings.TrimRight(digits, "0")
	exp.Add(exp, big.NewInt(int64(len(digits)-len(trimmed))))
	d.kind, d.digits, d.exp = 'f', trimmed, exp
	return d, true
}

// decimalASCII is CPython's numeric_as_ascii for a token: underscores are
// dropped, Unicode decimal digits become ASCII digits, and any other
// non-ASCII character makes the token invalid.
func decimalASCII(tok string) (string, bool) {
	if !utf8.ValidString(tok) {
		return "", false
	}
	var b strings.Builder
	for _, r := range tok {
		switch {
		case r == '_':
		case r > 0 && r < utf8.RuneSelf:
			b.WriteRune(r)
		case unicode.IsDigit(r):
			b.WriteByte(byte('0' + unicodeDigitValue(r)))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// unicodeDigitValue is the value of a decimal digit (category Nd).
// Unicode encodes decimal digits in contiguous runs of complete 0-9
// sequences, so the value is the distance from the run's start modulo 10.
func unicodeDigitValue(r rune) int {
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10
}

// ---------------------------------------------------------------- exact

// checkExact compares byte for byte after removing trailing newlines from
// both texts (rstrip("\n"), as verl does with SandboxFusion's output).
func checkExact(output, expected string) (bool, string) {
	out, exp := strings.TrimRight(output, "\n"), strings.TrimRight(expected, "\n")
	if out == exp {
		return true, ""
	}
	n := 0
	for n < len(out) && n < len(exp) && out[n] == exp[n] {
		n++
	}
	return false, fmt.Sprintf("outputs differ at byte %d", n)
}

func quoteClip(s string) string {
	const max = 80
	if len(s) > max {
		s = textclip.Head(s, max) + "…"
	}
	return strconv.Quote(s)
}
