package judge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"math"
	"math/big"
	"strconv"

	"github.com/rlef/rlef/pyvalue"
)

// A return value too large to send (over runner.py's DIGEST_MIN as
// marshal) crosses as digests, where the comparison can only be exact
// equality: of its marshal bytes in format version 0, and of its
// canonical encoding, in which values are equal exactly when Python's ==
// says so. Neither can be forged
// without computing the value itself; the candidate never sees the
// expected value's digests.
type digest struct {
	Marshal   string `json:"marshal"`
	Canonical string `json:"canonical"` // "" when the value has no canonical encoding
	Repr      string `json:"repr"`
}

// errNotCanonical marks values without a canonical encoding (dicts, sets,
// complex numbers, NaN).
var errNotCanonical = errors.New("no canonical encoding")

// canonicalDigest is the digest of v's canonical encoding, as runner.py's
// _canonical computes it.
func canonicalDigest(v pyvalue.Value) (string, error) {
	h := sha256.New()
	if err := writeCanonical(h, v); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeCanonical(h hash.Hash, v pyvalue.Value) error {
	var buf []byte
	put := func(tag byte, n string, sep byte) {
		buf = append(append(append(buf[:0], tag), n...), sep)
		h.Write(buf)
	}
	switch x := v.(type) {
	case pyvalue.Str:
		put('S', strconv.Itoa(len(x)), ':')
		h.Write([]byte(x))
	case pyvalue.Bytes:
		put('B', strconv.Itoa(len(x)), ':')
		h.Write([]byte(x))
	case pyvalue.Bool:
		n := "0"
		if x {
			n = "1"
		}
		put('I', n, ';')
	case pyvalue.Int:
		put('I', x.Big().String(), ';')
	case pyvalue.Float:
		f := float64(x)
		switch {
		case math.IsNaN(f):
			return errNotCanonical
		case !math.IsInf(f, 0) && f == math.Trunc(f):
			n, _ := new(big.Float).SetFloat64(f).Int(nil)
			put('I', n.String(), ';')
		default:
			put('F', pyvalue.Repr(x), ';')
		}
	case pyvalue.None:
		h.Write([]byte{'Z'})
	case pyvalue.List:
		put('L', strconv.Itoa(len(x)), ':')
		return writeItems(h, x)
	case pyvalue.Tuple:
		put('T', strconv.Itoa(len(x)), ':')
		return writeItems(h, x)
	default:
		return errNotCanonical
	}
	return nil
}

func writeItems(h hash.Hash, items []pyvalue.Value) error {
	for _, it := range items {
		if err := writeCanonical(h, it); err != nil {
			return err
		}
	}
	return nil
}

// digestOf computes a value's canonical digest, to compare with a digest.
// A value here is small (it crossed as a value); one whose digest has no
// canonical part is over runner.py's CANONICAL_MAX, several times larger
// than anything that could equal this value.
func digestOf(v pyvalue.Value) digest {
	d := digest{Repr: pyvalue.ClippedRepr(v, 2000)}
	d.Canonical, _ = canonicalDigest(v)
	return d
}

// sameDigests reports whether two digested values are equal: by their
// canonical encodings, or, past the size where runner.py computes those, by
// their exact (format 0) marshal bytes.
func sameDigests(a, b digest) bool {
	if a.Canonical != "" && a.Canonical == b.Canonical {
		return true
	}
	return a.Marshal != "" && a.Marshal == b.Marshal
}
