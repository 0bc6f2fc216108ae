"""verl custom reward function for RLEF episodes run by RLEFInteraction.

verl passes the interaction's per-turn scores to the reward function in
extra_info["turn_scores"]. Their sum is the RLEF episode return: -0.2 for
every non-final turn without code, plus the final reward (+1 when the last
code passes the private tests, -1 otherwise), which the last turn carries.

    custom_reward_function.path=integrations/verl/rlef_reward.py
    custom_reward_function.name=compute_score
"""


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """Returns the RLEF episode return, or 0.0 when no turn was scored."""
    scores = (extra_info or {}).get("turn_scores") or []
    return float(sum(scores))
