// Package llmtest is an in-process fake of an OpenAI-compatible model
// server, for tests of any package that talks to models (llm, episode,
// eval, server). It speaks the real wire protocol on a loopback
// httptest.Server:
//
//   - POST /v1/chat/completions and POST /v1/completions, as JSON or, with
//     "stream": true, as server-sent events ("data: {...}\n\n" chunks, a
//     usage chunk when stream_options.include_usage is set, "data:
//     [DONE]");
//   - GET /v1/models.
//
// What it answers is scripted: a queue of Replies (Enqueue) is served
// first, then a Responder function, then DefaultText. A Reply sets the
// text, reasoning_content, finish_reason and usage of the answer, or
// injects a fault: an error status with an optional Retry-After, a delay,
// a raw (e.g. malformed) body, a truncated body or stream, or a reset
// connection. Every request is recorded (decoded body and headers), and
// the server tracks how many requests were in flight at once.
//
// It answers at once unless a Reply asks for a delay. Barrier holds
// requests until n have arrived, to prove that a client really keeps n in
// flight; MaxInFlight reports the peak.
//
//	srv := llmtest.New(llmtest.WithModels("m"))
//	defer srv.Close()
//	srv.Enqueue(llmtest.RateLimit("1"), llmtest.Reply{Text: "```python\nprint(1)\n```"})
//	// point a client at srv.URL ("http://127.0.0.1:PORT/v1")
//	...
//	reqs := srv.Requests() // what the client sent
package llmtest
