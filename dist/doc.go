// Package dist spreads rlef's work over many machines with NATS
// JetStream: program runs and judgings become messages on a work queue
// (stream RLEF_JOBS) that workers (`rlef worker`) take, run on their own
// sandbox pools and answer in a key-value bucket (RLEF_RESULTS).
//
// The guarantees:
//
//   - A job is published with its id as JetStream's de-duplication key
//     (Nats-Msg-Id), so publishing it again after a lost acknowledgement
//     stores it once.
//   - A worker acknowledges a job only after recording its result; a
//     worker that dies holding a job stops sending progress, and JetStream
//     gives the job to another worker after Config.AckWait.
//   - A result is recorded with a create-only write keyed by the job's id:
//     the first answer wins and a late duplicate is refused, so each job
//     is answered exactly once. A client hands each answer to its caller
//     once.
//   - An attempt that fails for infrastructure reasons (a sandbox_error)
//     puts the job back; the worker that failed it hands it on to another
//     live worker. After Config.MaxAttempts failed attempts (a worker's
//     death counts) the answer is the infrastructure failure itself: a
//     judgement with sandbox_error verdicts or a sandbox.InfraError, never
//     a verdict about the program.
//   - A job is refused only when it arrives at a full queue (ErrBusy);
//     once accepted it is answered however long the queue is. Load never
//     changes a verdict: limits count a program's own time on the worker.
//   - Jobs, results and problems live in file-backed streams, so a NATS
//     server that restarts loses nothing it accepted; clients and workers
//     reconnect and carry on.
//
// Problems travel once: they are stored by content hash in an object
// store (RLEF_OBJECTS) and cached by the workers. Payloads larger than a
// message go through the same store.
//
// Client implements episode.Judger, so evaluation and the server judge
// through the cluster unchanged; Worker serves jobs; StartServer embeds a
// NATS server; Status reads the cluster's state for `rlef status`.
package dist
