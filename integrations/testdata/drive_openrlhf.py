"""Drives the OpenRLHF shims the way OpenRLHF does.

Agent (integrations/openrlhf/rlef_agent.py): loaded as OpenRLHF's
_load_agent_executor loads --train.agent_func_path (a module named
agent_module from the file; its AgentExecutor built with no arguments),
then AgentExecutor.execute(prompt, label, sampling_params, max_length,
hf_tokenizer, llm_engine) for each scripted rollout, with a byte-level
tokenizer and an engine that replies with the scripted turns (token ids:
the reply's bytes and an end-of-turn id, as vLLM returns them; text: the
reply). The rollout's rewards then go through OpenRLHF's group
normalisation (experience_maker: rewards.reshape(-1, n); (r - mean) /
std), which fails on integer tensors.

Reward function (integrations/openrlhf/rlef_reward_func.py): called as
OpenRLHF calls a .py remote reward, reward_func(queries, prompts, labels),
and its rewards normalised the same way.

Usage: drive_openrlhf.py SCENARIO.json; prints a JSON result.
"""

import asyncio
import importlib.util
import json
import sys
from types import SimpleNamespace

import torch

EOT = 256  # the end-of-turn token id of the stand-in tokenizer


class ByteTokenizer:
    """hf_tokenizer(text=..., add_special_tokens=False, return_tensors="pt")."""

    def __call__(self, text, add_special_tokens=False, return_tensors=None):
        ids = torch.tensor([list(text.encode("utf-8"))], dtype=torch.long)
        return {"input_ids": ids}

    @staticmethod
    def decode(ids):
        """The text of ids, the end-of-turn id written <EOT>."""
        return "".join("<EOT>" if i == EOT else bytes([i]).decode("latin-1") for i in ids).encode("latin-1").decode("utf-8")


class ScriptedEngine:
    def __init__(self, replies):
        self.replies = list(replies)
        self.prompts = []

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        self.prompts.append(ByteTokenizer.decode(prompt_token_ids))
        text = self.replies.pop(0) if self.replies else "(no more scripted replies)"
        ids = list(text.encode("utf-8"))[: max(sampling_params.max_tokens - 1, 0)] + [EOT]
        return SimpleNamespace(outputs=[SimpleNamespace(token_ids=ids, text=text)])


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def group_normalise(rewards, n):
    """OpenRLHF's reward normalisation over groups of n samples."""
    r = torch.cat([torch.as_tensor(x).reshape(-1) for x in rewards]).reshape(-1, n)
    return ((r - r.mean(-1, keepdim=True)) / (r.std(-1, keepdim=True) + 1e-9)).reshape(-1).tolist(), str(r.dtype)


async def run_agent(scenario):
    module = load(scenario["agent_path"], "agent_module")
    executor = module.AgentExecutor()
    rollouts = []
    for replies in scenario["rollouts"]:
        engine = ScriptedEngine(replies)
        params = SimpleNamespace(max_tokens=None, logprobs=None)
        try:
            out = await executor.execute(scenario["prompt"], scenario["label"], params, scenario.get("max_length", 100000),
                                         ByteTokenizer(), engine)
        except Exception as e:
            rollouts.append({"error": f"{type(e).__name__}: {e}"})
            continue
        tokens = out["observation_tokens"]
        rollouts.append({
            "reward": out["reward"],
            "scores": float(out["scores"]),
            "extra_logs": {k: float(v) for k, v in out["extra_logs"].items()},
            "text": ByteTokenizer.decode(tokens),
            "actions": [ByteTokenizer.decode(tokens[a:b]) for a, b in out["action_ranges"]],
            "prompts_seen": engine.prompts,
        })
    scored = [r["reward"] for r in rollouts if "error" not in r]
    result = {"rollouts": rollouts}
    if scored:
        result["normalised"], result["dtype"] = group_normalise([torch.tensor([r]) for r in scored], len(scored))
    return result


def run_reward_func(scenario):
    module = load(scenario["reward_func_path"], "reward_func")
    q = scenario["reward_func"]
    info = module.reward_func(q["queries"], q["prompts"], q["labels"])
    normalised, dtype = group_normalise([info["rewards"]], len(q["queries"]))
    return {"rewards": info["rewards"], "scores": info["scores"], "extra_logs": info["extra_logs"],
            "normalised": normalised, "dtype": dtype}


def main():
    scenario = json.load(open(sys.argv[1]))
    out = {}
    if "rollouts" in scenario:
        out["agent"] = asyncio.run(run_agent(scenario))
    if "reward_func" in scenario:
        out["reward_func"] = run_reward_func(scenario)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
