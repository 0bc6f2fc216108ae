"""Test stand-in for openrlhf.utils.agent (OpenRLHF 3c3be62): the agent
base classes, and MultiTurnAgentExecutor.execute reduced to its call
order and bookkeeping (no images, no log-probs):

  - one AgentInstance per prompt, built with no arguments;
  - reset({"observation": prompt, "label": label}) -> {"observation": text},
    tokenized without special tokens;
  - until done: generation budget = max_length - tokens so far (stop when
    none is left); generate; record the action's token range; step(
    {"observation_text", "action_text", "label", "sampling_params"});
    total_reward += rewards.item(); scores (default: the total so far);
    the environment_feedback text is tokenized and appended after the
    action, and to the observation text; sampling_params may be replaced.
"""

from abc import ABC, abstractmethod
from copy import deepcopy


class AgentExecutorBase(ABC):
    @abstractmethod
    async def execute(self, prompt, label, sampling_params, max_length: int, hf_tokenizer, llm_engine, images=None):
        raise NotImplementedError


class AgentInstanceBase(ABC):
    @abstractmethod
    def __init__(self, *args, **kwargs):
        pass

    async def reset(self, states: dict, **kwargs):
        return states

    @abstractmethod
    async def step(self, state_dict: dict, **kwargs):
        raise NotImplementedError


def _tokens(hf_tokenizer, text):
    return hf_tokenizer(text=text, add_special_tokens=False, return_tensors="pt")["input_ids"][0].tolist()


class MultiTurnAgentExecutor(AgentExecutorBase):
    def __init__(self, agent_instance_cls):
        assert issubclass(agent_instance_cls, AgentInstanceBase), "AgentInstance must inherit from AgentInstanceBase"
        self.agent_instance_cls = agent_instance_cls

    async def execute(self, prompt, label, sampling_params, max_length: int, hf_tokenizer, llm_engine, images=None):
        agent = self.agent_instance_cls()
        reset = await agent.reset({"observation": prompt, "label": label})
        observation_text = reset["observation"]
        tokens = _tokens(hf_tokenizer, observation_text)
        action_ranges, total_reward, final_scores, extra_logs = [], 0, 0, {}
        while True:
            sampling_params.max_tokens = max_length - len(tokens)
            if sampling_params.max_tokens <= 0:
                break
            output = (await llm_engine.generate(tokens, deepcopy(sampling_params), multi_modal_data=None)).outputs[0]
            action_ranges.append((len(tokens), len(tokens) + len(output.token_ids)))
            step = await agent.step({"observation_text": observation_text, "action_text": output.text,
                                     "label": label, "sampling_params": sampling_params})
            total_reward += step["rewards"].item()
            final_scores = step.get("scores", total_reward)
            feedback = step["environment_feedback"]
            extra_logs = step.get("extra_logs", {})
            observation_text = observation_text + output.text + feedback
            tokens = tokens + list(output.token_ids) + _tokens(hf_tokenizer, feedback)
            if step.get("sampling_params", None):
                sampling_params = step["sampling_params"]
            if step["done"]:
                break
        return {"prompt": prompt, "label": label, "reward": total_reward, "scores": final_scores,
                "observation_tokens": tokens, "action_ranges": action_ranges, "extra_logs": extra_logs}
