// Package train implements RLEF's training objective (Gehring et al.,
// ICML 2025, §2.2 and App. A.1) once, against a small policy interface,
// and the loop that applies it to episodes played through package
// episode, so that training sees exactly the prompts, code extraction,
// sandboxed judging, feedback, rewards and ablations of `rlef eval`.
//
// The objective, for an episode of turns t = 1..T:
//
//   - turn reward R_t = r_t − β·KL_t, with r_t the environment reward
//     (−0.2 for a non-final turn without code, ±1 on the final turn) and
//     KL_t the mean over the turn's tokens of log π_b − log ρ (the
//     log-ratio of geometric means of token probabilities, against the
//     initial policy ρ), β = 0.05;
//   - Monte-Carlo return G_t = Σ_{i≥t} R_i (γ = 1);
//   - a separate value network read at each turn's last prompt token;
//     advantage A_t = G_t − V(c_t), the same for every token of turn t,
//     whitened over the batch;
//   - the clipped surrogate with r = π_θ/π_θold · sg(min(π_θ/π_b, 1)) and
//     ε = 0.2, averaged over tokens; the clipped value loss with α = 0.2;
//     AdamW with linear warm-up and gradient-norm clipping.
//
// Switches cover the paper's ablations: a token-level value function
// (Objective.TokenLevelValue), single-turn training (Config.Episode.Turns
// = 1) and random or no feedback during training (Config.Episode.Feedback).
//
// Any model that implements Policy and ValueFunction can be trained; LM
// and ValueNet adapt package model's transformer, Client serves a Policy
// to the episode runner as an llm.Client (so `rlef eval` evaluates
// checkpoints), and Bundle is the checkpoint file of a run, written
// atomically so that training resumes after a kill exactly where it
// stopped.
package train
