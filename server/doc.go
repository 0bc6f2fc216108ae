// Package server serves rlef's execution and RLEF environment to RL
// trainers over HTTP (`rlef serve`):
//
//   - POST /run_code: SandboxFusion's API, wire-compatible with the way
//     verl calls it (reward_model.sandbox_fusion.url and SandboxFusionTool):
//     the same request fields and types, the same status values, every
//     response key always present, top-level status computed like
//     SandboxFusion's parse_run_status, 422 for schema errors, 200 for every
//     executed request, and 504 on arrival when the admission queue is full
//     or the job's expected wait exceeds its bound (verl retries 504 only).
//     Richer verdicts appear only as extra fields. Python and C++ are
//     implemented; other SandboxFusion languages answer 200 with status
//     SandboxError.
//   - GET /v1/ping: "pong".
//   - POST /get_reward: OpenRLHF's remote reward ({"query","prompts",
//     "labels"} in, {"rewards","scores","extra_logs"} out, every number a
//     JSON float, every sample answered on its own). A label names a
//     benchmark problem or carries inline tests (see ResolveLabel).
//   - /v1/episodes: the RLEF multi-turn protocol for an external policy
//     (create, step, get, delete), with optional rendering of the dialogue
//     and of each feedback turn in a chat template.
//   - GET /metrics: Prometheus metrics from a registry owned by the server.
//
// Load never changes a verdict: a request admitted to a queue waits as long
// as it takes (a held /run_code or /get_reward response is kept open with
// leading spaces, so clients with per-read time-outs keep waiting), and
// time limits count the program's own time, never the queue's.
//
// With Config.Dispatch (a dist.Client) the server runs nothing itself:
// runs, judgings and code extraction go to a cluster's workers, and the
// admission queues follow the cluster's live capacity. With
// Config.EpisodeJS, episodes live in a JetStream key-value bucket as
// records that any replica replays (episode_record.go, episode_kv.go), so
// several servers behind one address each take any step of any episode.
//
// The server binds to loopback by default, can require a bearer token,
// limits request bodies, caps every per-request limit at the server's
// maxima, and shuts down gracefully, finishing in-flight work.
package server
