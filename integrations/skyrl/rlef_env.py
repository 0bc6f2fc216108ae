"""SkyRL environment that runs RLEF episodes on an `rlef serve` server.

init() starts an episode and returns RLEF's initial prompt; each step()
sends the model's reply to POST /v1/episodes/{id}/step and returns the
execution feedback as the next user observation, the turn reward (-0.2 for
a non-final turn without code, the final +1/-1 on the last turn, else 0)
and whether the episode is done. SkyRL turns per-turn rewards into
per-token rewards on each turn's last token.

Register it in your SkyRL entrypoint (see README.md):

    from skyrl_gym.envs import register
    register(id="rlef", entry_point="rlef_env:RLEFEnv")

and give dataset rows env_class "rlef" and reward_spec.ground_truth set to
the problem id (e.g. "humaneval+/HumanEval/0").
"""

import os
import sys
from typing import Any, Dict, List, Optional, Tuple

from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput

try:
    from rlef_client import EPISODE_OPTIONS, RLEFClient
except ImportError:  # used from the repository: the client is one directory up
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
    from rlef_client import EPISODE_OPTIONS, RLEFClient


class RLEFEnv(BaseTextEnv):
    """A SkyRL BaseTextEnv backed by rlef's episode API.

    env_config keys: base_url (default $RLEF_URL or http://127.0.0.1:8080),
    token (default $RLEF_TOKEN), timeout, use_server_prompt (default True:
    init() returns RLEF's prompt for the problem, keeping any system
    messages of the dataset prompt; False keeps the dataset prompt as is),
    and defaults for the episode options (max_turns, feedback, ...).
    extras (the dataset row): reward_spec.ground_truth or
    extra_info.problem names the problem; max_turns (or
    extra_info.max_turns) and other episode options override the defaults.
    """

    def __init__(self, env_config: Optional[Dict[str, Any]] = None, extras: Optional[Dict[str, Any]] = None):
        super().__init__()
        env_config = dict(env_config or {})
        extras = dict(extras or {})
        extra_info = extras.get("extra_info") or {}
        self.client = RLEFClient(base_url=env_config.get("base_url"), token=env_config.get("token"),
                                 timeout=env_config.get("timeout", 600))
        self.problem = (extras.get("reward_spec") or {}).get("ground_truth") or extra_info.get("problem")
        if self.problem is None:
            raise ValueError("the dataset row needs reward_spec.ground_truth (or extra_info.problem): a problem id")
        self.options = {k: env_config[k] for k in EPISODE_OPTIONS if k in env_config}
        for source in (extra_info, extras):
            self.options.update({k: source[k] for k in EPISODE_OPTIONS if k in source})
        self.max_turns = int(self.options.get("max_turns", 3))
        self.options["max_turns"] = self.max_turns
        self.use_server_prompt = bool(env_config.get("use_server_prompt", True))
        self.episode_id: Optional[str] = None
        self.final_reward: Optional[float] = None
        self.passed = False

    def init(self, prompt: List[Dict[str, str]]) -> Tuple[List[Dict[str, str]], Dict[str, Any]]:
        created = self.client.create_episode(self.problem, **self.options)
        self.episode_id = created["episode_id"]
        meta = {"episode_id": self.episode_id, "problem": created["problem"]}
        if not self.use_server_prompt:
            return prompt, meta
        system = [m for m in (prompt or []) if m.get("role") == "system"]
        return system + [{"role": m["role"], "content": m["content"]} for m in created["messages"]], meta

    def step(self, action: str) -> BaseTextEnvStepOutput:
        if self.episode_id is None:
            raise RuntimeError("step() before init()")
        self.turns += 1
        resp = self.client.step(self.episode_id, action)
        done = bool(resp.get("done")) or bool(resp.get("infra_error"))
        metadata = {
            "verdict": resp.get("verdict"), "turn": resp.get("turn"), "public_passed": resp.get("public_passed"),
            "code": resp.get("code"),
        }
        if resp.get("infra_error"):
            metadata["infra_error"] = resp["infra_error"]
        if done:
            self.final_reward = resp.get("final_reward")
            self.passed = bool(resp.get("passed"))
            metadata.update(passed=self.passed, final_reward=self.final_reward, episode_return=resp.get("return"))
        observations = [] if done else [{"role": "user", "content": resp.get("feedback", "")}]
        return BaseTextEnvStepOutput(observations=observations, reward=float(resp.get("turn_reward", 0.0)),
                                     done=done, metadata=metadata)

    def get_metrics(self) -> Dict[str, Any]:
        return {"turns": self.turns, "passed": 1.0 if self.passed else 0.0}

    def close(self):
        if self.episode_id is not None:
            self.client.delete(self.episode_id)
            self.episode_id = None
