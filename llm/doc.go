// Package llm talks to language models behind any OpenAI-compatible HTTP
// server (vLLM, SGLang, Ollama, llama.cpp server, TGI, OpenAI, DeepSeek,
// Together) through /v1/chat/completions and, for base models,
// /v1/completions.
//
// The one operation is [Client.Generate]. [New] builds the real client on
// github.com/openai/openai-go/v3; around each call it adds what an
// evaluation harness needs:
//
//   - retries with capped exponential backoff and jitter that honour
//     Retry-After, and fail fast (with the server's message) on client
//     errors such as 400, 401 and 404;
//   - an adaptive concurrency limit ([Limiter], AIMD) that starts at the
//     configured concurrency, halves on 429 and creeps back on success;
//   - a request [Cache] keyed by the SHA-256 of everything that decides
//     the answer ([CacheKey]);
//   - model [Profile]s (llama3, deepseek-r1, base, generic) that fill
//     sampling defaults, fold system prompts, render dialogues for the
//     completions API (few-shot transcripts for base models, chat
//     templates otherwise) and clean replies (reasoning split off, see
//     [SplitReasoning]).
//
// API keys are read from an environment variable only (OPENAI_API_KEY by
// default). They are never written anywhere, never logged, never part of a
// cache key and never part of an error message.
//
// The subpackage chattemplate renders raw chat-template text; llmtest is
// an in-process fake server for tests.
package llm
