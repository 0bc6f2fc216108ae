"""Test stand-in for skyrl_gym.envs.base_text_env (SkyRL's interface:
init(prompt) -> (prompt, metadata), step(action) -> BaseTextEnvStepOutput,
close())."""

from typing import Any, Dict, List, Optional, Tuple, TypedDict

from skyrl_gym import Env

MessageType = Dict[str, str]
ConversationType = List[MessageType]


class BaseTextEnvStepOutput(TypedDict, total=False):
    observations: List[Dict[str, str]]
    reward: float
    done: bool
    metadata: Dict[str, Any]
    postprocessed_action: Optional[str]


class BaseTextEnv(Env[str, str]):
    def __init__(self):
        super().__init__()
        self.turns = 0
        self.max_turns = 1
        self.tool_groups = []
        self.tool_to_toolgroup = {}

    def step(self, action: str) -> BaseTextEnvStepOutput:
        pass

    def init(self, prompt: ConversationType) -> Tuple[ConversationType, Dict[str, Any]]:
        return prompt, {}

    def close(self):
        pass
