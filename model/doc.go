// Package model is a tiny decoder-only transformer (GPT-2's architecture:
// learned positions, pre-norm blocks, GELU MLPs, tied embeddings) written
// out layer by layer in the manner of llm.c: every forward has its
// explicit backward, checked against finite differences and against
// PyTorch on the same weights.
//
// A Model is either a policy (a language-model head tied to the token
// embeddings) or a value network (a scalar head read at chosen
// positions). Batches pack sequences of different lengths end to end;
// attention never crosses a sequence boundary. Sampling keeps a KV cache
// that carries over between turns of a dialogue, with temperature and
// top-p. Results are deterministic for a seed: parallel work is split in
// fixed chunks and summed in a fixed order, whatever GOMAXPROCS is.
//
// Parameters, gradients and AdamW's moments live in flat float32 slices
// with one layout, so the optimizer, gradient clipping and checkpoints
// work on whole slices. Checkpoint files are written atomically and
// carry a checksum.
package model
