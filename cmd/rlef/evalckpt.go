package main

import (
	"fmt"
	"path/filepath"

	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/train"
)

// useCheckpoint fills in the model settings of an evaluation of a policy
// checkpoint: the model is named after the file, the "server" is the
// file itself, and the chat API is the one a local policy serves.
func useCheckpoint(f *evalFlags) error {
	if f.baseURL != "" || f.api == string(llm.APICompletion) {
		return fmt.Errorf("--checkpoint replaces --base-url and serves the chat API only")
	}
	abs, err := filepath.Abs(f.checkpoint)
	if err != nil {
		return err
	}
	if f.model == "" {
		f.model = "checkpoint-" + filepath.Base(filepath.Dir(abs)) + "-" + filepath.Base(abs)
	}
	f.baseURL = "file://" + abs
	f.api = string(llm.APIChat)
	return nil
}

// checkpointClient loads a policy checkpoint as an llm.Client.
func checkpointClient(path string) (llm.Client, error) {
	p, err := train.LoadPolicy(path)
	if err != nil {
		return nil, err
	}
	return &train.Client{Policy: p}, nil
}
