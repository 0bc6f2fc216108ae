"""verl interaction that runs RLEF episodes on an `rlef serve` server.

The policy (verl's rollout) writes code; each assistant turn goes to
POST /v1/episodes/{id}/step, which runs the code on the problem's public
tests and answers with execution feedback (the next user turn), the turn
reward and, when the episode ends (public tests pass or the turn limit is
reached), the final reward from the private tests.

verl configuration (see README.md): the tool agent loop, which is the
one that calls interactions, and one more assistant turn than the
episode has, so that verl asks the interaction about the last turn (verl
stops at max_assistant_turns before it calls the interaction):

    actor_rollout_ref.rollout.agent.default_agent_loop=tool_agent
    actor_rollout_ref.rollout.multi_turn.enable=True
    actor_rollout_ref.rollout.multi_turn.interaction_config_path=rlef_interaction.yaml
    actor_rollout_ref.rollout.multi_turn.max_assistant_turns=4   # max_turns + 1
    actor_rollout_ref.rollout.multi_turn.max_user_turns=3        # max_turns

    interaction:
      - name: rlef
        class_name: rlef_interaction.RLEFInteraction
        config: {base_url: "http://127.0.0.1:8080", max_turns: 3}

and each dataset row carries
extra_info.interaction_kwargs = {"name": "rlef", "problem": "builtin/lanterns"}.
The server ends every episode itself (public tests passed, or max_turns
reached), so verl never needs to call finalize_interaction.
"""

import asyncio
import os
import sys
from typing import Any, Optional
from uuid import uuid4

from verl.interactions.base import BaseInteraction

try:
    from rlef_client import EPISODE_OPTIONS, RLEFClient, RLEFError, text_of
except ImportError:  # used from the repository: the client is one directory up
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
    from rlef_client import EPISODE_OPTIONS, RLEFClient, RLEFError, text_of


class RLEFInteraction(BaseInteraction):
    """A verl BaseInteraction backed by rlef's episode API.

    Config keys: base_url (default $RLEF_URL or http://127.0.0.1:8080),
    token (default $RLEF_TOKEN, sent as an Authorization header), timeout
    (s, default 600), and defaults for the episode options (max_turns,
    feedback, extraction, template, ...), which interaction_kwargs may
    override per row. max_turns (default 3) is also the most a row may
    ask for: set verl's multi_turn.max_user_turns to it and
    multi_turn.max_assistant_turns to it plus one, so that verl judges
    every turn the server expects.
    """

    def __init__(self, config: dict):
        super().__init__(config)
        self.client = RLEFClient(base_url=config.get("base_url"), token=config.get("token"),
                                 timeout=config.get("timeout", 600))
        self.defaults = {k: config[k] for k in EPISODE_OPTIONS if k in config}
        self.max_turns = int(self.defaults.setdefault("max_turns", 3))
        self._instances: dict[str, dict[str, Any]] = {}

    async def start_interaction(self, instance_id: Optional[str] = None, problem: Any = None, **kwargs) -> str:
        """Starts an episode on `problem` (a problem id such as
        "humaneval+/HumanEval/0" or an inline problem); other keyword
        arguments may override episode options."""
        if instance_id is None:
            instance_id = str(uuid4())
        if problem is None:
            problem = kwargs.get("ground_truth")
        if problem is None:
            raise ValueError("interaction_kwargs needs 'problem' (a problem id of the served benchmark)")
        options = dict(self.defaults)
        options.update({k: kwargs[k] for k in EPISODE_OPTIONS if k in kwargs})
        if int(options["max_turns"]) > self.max_turns:
            raise ValueError(
                f"interaction_kwargs max_turns={options['max_turns']} exceeds the interaction's max_turns={self.max_turns}: "
                "verl stops at multi_turn.max_user_turns and would never judge the last turns; raise max_turns in the "
                "interaction config (and max_user_turns, max_assistant_turns with it)")
        created = await asyncio.to_thread(self.client.create_episode, problem, **options)
        self._instances[instance_id] = {
            "episode_id": created["episode_id"], "done": False, "final_reward": None,
            "return": 0.0, "turn_scores": [], "passed": False,
        }
        return instance_id

    async def generate_response(self, instance_id: str, messages: list[dict[str, Any]], **kwargs
                                ) -> tuple[bool, str, float, dict[str, Any]]:
        """Sends the last assistant message as the next step; returns
        (should_terminate, feedback, turn_score, metrics)."""
        inst = self._instances[instance_id]
        if inst["done"]:
            return True, "", 0.0, {"rlef_done": 1.0}
        text = ""
        for m in reversed(messages):
            if m.get("role") == "assistant":
                text = text_of(m.get("content"))
                break
        try:
            resp = await asyncio.to_thread(self.client.step, inst["episode_id"], text)
        except RLEFError as e:
            if e.status not in (404, 409):
                raise
            # The episode expired on the server (idle past --episode-ttl) or
            # was ended elsewhere: not the model's doing; end with a neutral
            # score.
            inst["done"] = True
            return True, "", 0.0, {"rlef_infra_error": 1.0}
        turn_score = float(resp.get("turn_reward", 0.0))
        inst["turn_scores"].append(turn_score)
        inst["return"] += turn_score
        done = bool(resp.get("done"))
        metrics = {
            "rlef_turn": float(resp.get("turn", 0)),
            "rlef_public_passed": 1.0 if resp.get("public_passed") else 0.0,
            "rlef_invalid": 1.0 if resp.get("verdict") == "invalid" else 0.0,
        }
        if resp.get("infra_error"):
            # Not the model's fault: end the rollout with a neutral score.
            metrics["rlef_infra_error"] = 1.0
            done = True
        if done:
            inst["done"] = True
            inst["final_reward"] = resp.get("final_reward")
            inst["passed"] = bool(resp.get("passed"))
            metrics["rlef_passed"] = 1.0 if inst["passed"] else 0.0
        return done, resp.get("feedback", "") if not done else "", turn_score, metrics

    async def calculate_score(self, instance_id: Optional[str] = None, **kwargs) -> float:
        """The episode's final reward (+1 pass, -1 fail; 0 until done or
        after an infrastructure failure)."""
        inst = self._instances.get(instance_id) if instance_id is not None else None
        if inst is None or inst["final_reward"] is None:
            return 0.0
        return float(inst["final_reward"])

    async def finalize_interaction(self, instance_id: Optional[str] = None, **kwargs) -> None:
        """Deletes the episode on the server (optional: verl's tool agent
        loop never calls it, and finished episodes do not count against
        the server's live limit)."""
        inst = self._instances.pop(instance_id, None) if instance_id is not None else None
        if inst is not None:
            await asyncio.to_thread(self.client.delete, inst["episode_id"])
