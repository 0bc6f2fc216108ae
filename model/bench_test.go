package model

import (
	"math/rand/v2"
	"testing"
)

func benchModel(b *testing.B) (*Model, *Batch) {
	c := Config{Vocab: 512, Context: 256, Dim: 128, Layers: 4, Heads: 4, Head: HeadLM}
	m, err := New(c, 1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bt := &Batch{}
	for s := 0; s < 16; s++ {
		seq := make([]int32, 128)
		for i := range seq {
			seq[i] = int32(rng.IntN(c.Vocab))
		}
		off := bt.Add(seq)
		for i := 1; i < len(seq); i++ {
			bt.Score = append(bt.Score, off+i)
		}
	}
	return m, bt
}

func BenchmarkTrainStep(b *testing.B) {
	m, bt := benchModel(b)
	dl := make([]float32, len(bt.Score))
	for i := range dl {
		dl[i] = -1 / float32(len(dl))
	}
	for b.Loop() {
		if _, err := m.Forward(bt, true); err != nil {
			b.Fatal(err)
		}
		if err := m.Backward(dl, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(bt.Tokens))*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

func BenchmarkSample(b *testing.B) {
	m, _ := benchModel(b)
	s := m.NewSampler()
	prompt := make([]int32, 64)
	for b.Loop() {
		s.Reset()
		if _, err := s.Generate(prompt, Sampling{MaxTokens: 64, Stop: -1}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}
