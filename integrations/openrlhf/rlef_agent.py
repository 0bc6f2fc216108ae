"""OpenRLHF multi-turn agent that runs RLEF episodes on an `rlef serve` server.

    openrlhf.cli.train_ppo_ray ... --train.agent_func_path integrations/openrlhf/rlef_agent.py

OpenRLHF builds one AgentInstance per prompt. reset() starts an episode on
the problem named by the row's label and returns RLEF's prompt rendered in
the chat template; every step() sends the model's turn to
POST /v1/episodes/{id}/step and returns the execution feedback already
rendered as the next user turn plus the assistant header (OpenRLHF
appends environment_feedback to the token sequence as is), the turn's
reward as a float tensor, and done when the server ends the episode
(public tests passed, or max_turns reached). OpenRLHF sums the step
rewards into the RLEF return (-0.2 per non-final turn without code, plus
the final +1/-1) and puts it on the last action token.

Configuration (environment variables of the rollout workers, e.g. Ray's
runtime_env env_vars):
    RLEF_URL        server (default http://127.0.0.1:8080)
    RLEF_TOKEN      bearer token, sent as an Authorization header
    RLEF_TEMPLATE   chat template of the policy: llama3, chatml or
                    deepseek-r1 (required: feedback must come rendered)
    RLEF_EPISODE    JSON object of other episode options, e.g.
                    {"max_turns": 3, "feedback": "rlef", "omit_bos": true}
    RLEF_USE_DATASET_PROMPT  "1" keeps the dataset's prompt instead of
                    RLEF's (it must then end with the assistant header)
"""

import asyncio
import json
import os
import sys

import torch

from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor

try:
    from rlef_client import EPISODE_OPTIONS, RLEFClient
except ImportError:  # used from the repository: the client is one directory up
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
    from rlef_client import EPISODE_OPTIONS, RLEFClient


def episode_options():
    """The episode options from the environment."""
    options = json.loads(os.environ.get("RLEF_EPISODE") or "{}")
    if not isinstance(options, dict):
        raise ValueError("RLEF_EPISODE must be a JSON object of episode options")
    unknown = set(options) - set(EPISODE_OPTIONS)
    if unknown:
        raise ValueError(f"RLEF_EPISODE: unknown options {sorted(unknown)} (known: {list(EPISODE_OPTIONS)})")
    template = os.environ.get("RLEF_TEMPLATE") or options.get("template")
    if not template:
        raise ValueError("set RLEF_TEMPLATE to the policy's chat template (llama3, chatml or deepseek-r1): "
                         "OpenRLHF appends the feedback to the token sequence as rendered text")
    options["template"] = template
    return options


class AgentInstance(AgentInstanceBase):
    """One RLEF episode, for one prompt of an OpenRLHF rollout."""

    def __init__(self, *args, **kwargs):
        self.client = RLEFClient()
        self.options = episode_options()
        self.use_dataset_prompt = os.environ.get("RLEF_USE_DATASET_PROMPT", "") == "1"
        self.episode_id = None
        self.turn_return = 0.0

    async def reset(self, states: dict, **kwargs):
        """Starts an episode on states["label"] (a problem label)."""
        label = states["label"]
        if label is None or label == "":
            raise ValueError("the row has no label: set --data.label_key to a column naming the problem")
        created = await asyncio.to_thread(self.client.create_episode, label, **self.options)
        self.episode_id = created["episode_id"]
        if self.use_dataset_prompt:
            return {"observation": states["observation"]}
        return {"observation": created["prompt_text"]}

    async def step(self, states: dict, **kwargs):
        """Judges the model's turn; returns OpenRLHF's step result."""
        resp = await asyncio.to_thread(self.client.step, self.episode_id, states["action_text"])
        reward = float(resp.get("turn_reward", 0.0))
        self.turn_return += reward
        done = bool(resp.get("done")) or bool(resp.get("infra_error"))
        logs = {
            "rlef_turn": float(resp.get("turn", 0)),
            "rlef_public_passed": 1.0 if resp.get("public_passed") else 0.0,
            "rlef_invalid": 1.0 if resp.get("verdict") == "invalid" else 0.0,
            "rlef_infra_error": 1.0 if resp.get("infra_error") else 0.0,
            "rlef_passed": 1.0 if resp.get("passed") else 0.0,
            "rlef_queue_wait_seconds": float(resp.get("queue_wait_seconds", 0.0)),
        }
        feedback = "" if done else (resp.get("feedback_text") or "")
        return {
            "rewards": torch.tensor(reward, dtype=torch.float32),
            # Dynamic filtering keeps groups whose mean score is strictly
            # between the bounds: 1 for a solved episode, 0 otherwise.
            "scores": torch.tensor(logs["rlef_passed"], dtype=torch.float32),
            "environment_feedback": feedback,
            "done": done,
            "sampling_params": states.get("sampling_params", None),
            "extra_logs": logs,
        }


class AgentExecutor(MultiTurnAgentExecutor):
    def __init__(self):
        super().__init__(AgentInstance)
