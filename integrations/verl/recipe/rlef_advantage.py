"""RLEF's turn-level advantages for verl (Gehring et al., ICML 2025, §2.2).

verl stores a multi-turn episode as one row: the response holds every
assistant turn with the interaction's feedback between them, and
``response_mask`` is 1 on the assistant's tokens and 0 on feedback and padding.
RLEF treats each turn as one action:

* per-turn reward  R_k = turn_score_k - beta * KL_k, where turn_score_k is what
  the interaction returned for turn k (-0.2 for a turn without code, +1/-1 on
  the final turn, 0 otherwise) and KL_k is the mean over the turn's tokens of
  old_log_prob - ref_log_prob (the log-ratio of the geometric means of the
  token probabilities);
* Monte-Carlo return  G_k = sum_{j >= k} R_j  (gamma = 1);
* the value of turn k is read at its last prompt token: verl's critic returns
  ``values[:, i]`` for the state before response token i, so it is
  ``values[row, start_k]``;
* advantage  A_k = G_k - V_k, the same for every token of the turn, whitened
  over the batch's response tokens; the critic regresses V_k on G_k.

The reward is put on each turn's last *response* token: verl's own GAE skips
rewards on masked tokens, and verl puts the episode's score on the row's last
token, which for a multi-turn row is often feedback or padding, so every
advantage would be 0.

Everything here is numpy; ``rlef_recipe.py`` converts verl's tensors. The
golden vectors in testdata/golden.json come from rlef's Go trainer (package
train) and are checked by test_rlef_advantage.py.
"""

import numpy as np

__all__ = ["TurnScoreMismatch", "turn_spans", "rlef_advantages", "whiten"]


class TurnScoreMismatch(ValueError):
    """A row has a different number of assistant turns and turn scores."""


def turn_spans(response_mask):
    """Returns the (start, end) of each run of 1s in a row's response mask."""
    m = np.asarray(response_mask).astype(np.int64)
    spans = []
    start = None
    for i, v in enumerate(m):
        if v and start is None:
            start = i
        elif not v and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(m)))
    return spans


def whiten(values, mask, eps=1e-8):
    """(x - mean) / std over the masked entries (population std); entries
    outside the mask are 0. A spread below eps only centres."""
    values = np.asarray(values, dtype=np.float64)
    m = np.asarray(mask).astype(bool)
    out = np.zeros_like(values)
    if not m.any():
        return out
    sel = values[m]
    mean = sel.mean()
    std = np.sqrt(((sel - mean) ** 2).mean())
    centred = values - mean
    if std > eps:
        centred = centred / std
    out[m] = centred[m]
    return out


def rlef_advantages(response_mask, old_log_probs, ref_log_prob, values, turn_scores, beta=0.05, normalize=True):
    """Computes RLEF's advantages for a batch of rows.

    Arguments are arrays of shape (batch, response_length) except
    turn_scores, a sequence of per-row lists (one score per assistant turn).
    Returns a dict of arrays of shape (batch, response_length):
    token_level_rewards (R_k on each turn's last token), advantages (whitened
    if normalize), advantages_raw, returns (G_k on the turn's tokens),
    value_mask (1 at each turn's first response token, where its value is
    read) and, per row, the lists turn_kl and turn_returns.
    """
    mask = np.asarray(response_mask).astype(np.int64)
    old = np.asarray(old_log_probs, dtype=np.float64)
    ref = np.asarray(ref_log_prob, dtype=np.float64)
    vals = np.asarray(values, dtype=np.float64)
    if not (mask.shape == old.shape == ref.shape == vals.shape):
        raise ValueError("response_mask, old_log_probs, ref_log_prob and values must have one shape, got %s %s %s %s"
                         % (mask.shape, old.shape, ref.shape, vals.shape))
    if len(turn_scores) != mask.shape[0]:
        raise ValueError("%d rows but %d lists of turn scores" % (mask.shape[0], len(turn_scores)))
    rewards = np.zeros_like(old)
    adv = np.zeros_like(old)
    rets = np.zeros_like(old)
    vmask = np.zeros_like(mask)
    turn_kl, turn_returns = [], []
    for b in range(mask.shape[0]):
        spans = turn_spans(mask[b])
        scores = [float(s) for s in turn_scores[b]]
        if len(spans) != len(scores):
            raise TurnScoreMismatch(
                "row %d has %d assistant turns but %d turn scores; with verl's ToolAgentLoop set "
                "multi_turn.max_assistant_turns = max_turns + 1 and max_user_turns = max_turns, so that the "
                "interaction judges the last turn" % (b, len(spans), len(scores)))
        kls = [float(np.mean(old[b, s:e] - ref[b, s:e])) for s, e in spans]
        r = [scores[k] - beta * kls[k] for k in range(len(spans))]
        g = 0.0
        gs = [0.0] * len(spans)
        for k in range(len(spans) - 1, -1, -1):
            g += r[k]
            gs[k] = g
        for k, (s, e) in enumerate(spans):
            rewards[b, e - 1] = r[k]
            adv[b, s:e] = gs[k] - vals[b, s]
            rets[b, s:e] = gs[k]
            vmask[b, s] = 1
        turn_kl.append(kls)
        turn_returns.append(gs)
    out = {
        "token_level_rewards": rewards,
        "advantages_raw": adv,
        "advantages": whiten(adv, mask) if normalize else adv * mask,
        "returns": rets,
        "value_mask": vmask,
        "turn_kl": turn_kl,
        "turn_returns": turn_returns,
    }
    return out
