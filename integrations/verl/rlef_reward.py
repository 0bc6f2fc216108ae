"""verl reward functions and reward placement for rlef.

compute_score: the return of an RLEF episode run by RLEFInteraction.
    verl passes the interaction's per-turn scores to the reward function in
    extra_info["turn_scores"]. Their sum is the RLEF episode return: -0.2
    for every non-final turn without code, plus the final reward (+1 when
    the last code passes the private tests, -1 otherwise), which the last
    turn carries.

        custom_reward_function.path=integrations/verl/rlef_reward.py
        custom_reward_function.name=compute_score

compute_code_score: a single-turn code reward judged by rlef serve's
    /get_reward, for rows whose ground_truth is a problem label. Unlike
    verl's built-in SandboxFusion reward (a URL, so a token must ride in
    it, and verl logs the URL), it sends $RLEF_TOKEN in the Authorization
    header.

        custom_reward_function.path=integrations/verl/rlef_reward.py
        custom_reward_function.name=compute_code_score

reward_on_last_response_token: where the score must sit for GAE. verl
    puts a trajectory's score on the last token of its row; in a multi-turn
    rollout that token belongs to the final (empty) interaction reply,
    whose tokens are masked out of the response, and verl's GAE ignores
    rewards on masked tokens, so every advantage comes out 0. Moving the
    score onto the last token the model generated fixes it (GRPO sums the
    row and needs nothing). rlef's verl recipe applies it; a trainer of
    your own should apply it to token_level_scores before computing GAE
    advantages.
"""

import os
import sys

try:
    from rlef_client import RLEFClient
except ImportError:  # used from the repository: the client is one directory up
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
    from rlef_client import RLEFClient


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """Returns the RLEF episode return, or 0.0 when no turn was scored."""
    scores = (extra_info or {}).get("turn_scores") or []
    return float(sum(scores))


_client = None


def compute_code_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """Judges the response's last fenced Python block on the problem named
    by ground_truth (a label: "humaneval+/HumanEval/0", inline tests, ...)
    and returns {"score": +1.0 or -1.0, "passed", "sandbox_error"}.
    Server: $RLEF_URL; token: $RLEF_TOKEN, sent as a header."""
    global _client
    if _client is None:
        _client = RLEFClient()
    label = ground_truth if isinstance(ground_truth, (str, dict)) else str(ground_truth)
    resp = _client.rewards([solution_str], [label])
    logs = resp.get("extra_logs") or {}
    return {
        "score": float(resp["rewards"][0]),
        "passed": float((logs.get("passed") or [0.0])[0]),
        "sandbox_error": float((logs.get("sandbox_error") or [0.0])[0]),
    }


def reward_on_last_response_token(token_level_scores, response_mask):
    """Returns a copy of token_level_scores ([batch, length] torch tensors)
    in which each row's total sits on the row's last response token
    (response_mask == 1) and every other position is 0. Rows without a
    response token are returned unchanged."""
    import torch

    length = response_mask.shape[-1]
    positions = torch.arange(length, device=response_mask.device).expand_as(response_mask)
    last = torch.where(response_mask.bool(), positions, torch.full_like(positions, -1)).max(dim=-1).values
    has_response = last >= 0
    out = token_level_scores.clone()
    rows = torch.nonzero(has_response, as_tuple=True)[0]
    totals = token_level_scores[rows].sum(dim=-1)
    out[rows] = 0
    out[rows, last[rows]] = totals
    return out
