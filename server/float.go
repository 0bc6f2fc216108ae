package server

import (
	"fmt"
	"math"
	"strconv"
)

// Float is a float64 that always travels as a JSON float: 1.0, -1.0,
// 0.0, -0.2, never 1 or -1. Trainers build tensors from the numbers they
// receive, and torch.tensor([1]) is an integer tensor whose mean() and
// std() fail (OpenRLHF normalises rewards per group that way); every
// reward, score and logged number rlef sends is a Float.
type Float float64

// MarshalJSON writes f with a decimal point (or an exponent).
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("server: %v is not a JSON number", v)
	}
	// encoding/json's choice of notation: plain for 1e-6 <= |v| < 1e21.
	format := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(make([]byte, 0, 24), v, format, -1, 64)
	for _, c := range b {
		if c == '.' || c == 'e' {
			return b, nil
		}
	}
	return append(b, '.', '0'), nil
}

// floatPtr converts an optional number for the wire.
func floatPtr(v float64) *Float {
	f := Float(v)
	return &f
}
