package model

import (
	"errors"
	"fmt"
)

// Head selects what a model outputs.
type Head string

const (
	// HeadLM: next-token log-probabilities through the transposed token
	// embedding (a policy).
	HeadLM Head = "lm"
	// HeadValue: a scalar per position through a linear projection (a
	// value network).
	HeadValue Head = "value"
)

// Config is a model's shape.
type Config struct {
	// Vocab is the number of token ids; Context the longest sequence.
	Vocab   int `json:"vocab"`
	Context int `json:"context"`
	// Dim is the residual width; Layers the number of blocks; Heads the
	// attention heads per block (Dim must be a multiple of Heads).
	Dim    int  `json:"dim"`
	Layers int  `json:"layers"`
	Heads  int  `json:"heads"`
	Head   Head `json:"head"`
}

// ErrConfig marks an invalid model configuration.
var ErrConfig = errors.New("invalid model configuration")

// Validate checks the shape.
func (c Config) Validate() error {
	switch {
	case c.Vocab < 2 || c.Context < 2 || c.Dim < 1 || c.Layers < 1 || c.Heads < 1:
		return fmt.Errorf("%w: every size must be positive (%+v)", ErrConfig, c)
	case c.Dim%c.Heads != 0:
		return fmt.Errorf("%w: dim %d is not a multiple of %d heads", ErrConfig, c.Dim, c.Heads)
	case c.Head != HeadLM && c.Head != HeadValue:
		return fmt.Errorf("%w: head %q (want %q or %q)", ErrConfig, c.Head, HeadLM, HeadValue)
	}
	return nil
}

// Tensor is one named parameter tensor: Shape rows × cols (cols only for
// vectors) at Offset in the flat parameter slice.
type Tensor struct {
	Name   string `json:"name"`
	Offset int    `json:"offset"`
	Rows   int    `json:"rows"`
	Cols   int    `json:"cols"`
	// Decay: AdamW's weight decay applies (matrices, embeddings), not to
	// biases and norm gains.
	Decay bool `json:"decay"`
}

// Size is the number of elements.
func (t Tensor) Size() int { return t.Rows * t.Cols }

// Layout lists the parameter tensors in order. Linear weights are stored
// input-major (in × out), so a layer computes x·W + b.
func (c Config) Layout() []Tensor {
	var ts []Tensor
	off := 0
	add := func(name string, rows, cols int, decay bool) {
		ts = append(ts, Tensor{Name: name, Offset: off, Rows: rows, Cols: cols, Decay: decay})
		off += rows * cols
	}
	d, f := c.Dim, 4*c.Dim
	add("wte", c.Vocab, d, true)
	add("wpe", c.Context, d, true)
	for l := 0; l < c.Layers; l++ {
		p := fmt.Sprintf("h%d.", l)
		add(p+"ln1.w", 1, d, false)
		add(p+"ln1.b", 1, d, false)
		add(p+"qkv.w", d, 3*d, true)
		add(p+"qkv.b", 1, 3*d, false)
		add(p+"proj.w", d, d, true)
		add(p+"proj.b", 1, d, false)
		add(p+"ln2.w", 1, d, false)
		add(p+"ln2.b", 1, d, false)
		add(p+"fc.w", d, f, true)
		add(p+"fc.b", 1, f, false)
		add(p+"fc2.w", f, d, true)
		add(p+"fc2.b", 1, d, false)
	}
	add("lnf.w", 1, d, false)
	add("lnf.b", 1, d, false)
	if c.Head == HeadValue {
		add("value.w", d, 1, true)
		add("value.b", 1, 1, false)
	}
	return ts
}

// NumParams is the total number of parameters.
func (c Config) NumParams() int {
	ts := c.Layout()
	last := ts[len(ts)-1]
	return last.Offset + last.Size()
}
