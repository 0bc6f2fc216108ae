"""OpenRLHF reward function that asks `rlef serve` for rewards with the
token in a header.

    openrlhf.cli.train_ppo_ray ... --reward.remote_url integrations/openrlhf/rlef_reward_func.py

OpenRLHF calls reward_func(queries, prompts, labels) in-process when the
remote reward "URL" is a .py file. This one posts to /get_reward (server:
$RLEF_URL; token: $RLEF_TOKEN in the Authorization header) and returns
what an HTTP remote reward returns: rewards (+1.0/-1.0), scores (1.0/0.0)
and extra_logs, one float per sample. Use it instead of
--reward.remote_url http://HOST/get_reward?token=... when the server
needs a token: a token in the URL lands in logs.
"""

import os
import sys

try:
    from rlef_client import RLEFClient
except ImportError:  # used from the repository: the client is one directory up
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
    from rlef_client import RLEFClient

_client = None


def reward_func(queries, prompts, labels):
    global _client
    if _client is None:
        _client = RLEFClient()
    resp = _client.rewards(queries, labels, prompts)
    return {"rewards": resp["rewards"], "scores": resp["scores"], "extra_logs": resp["extra_logs"]}
