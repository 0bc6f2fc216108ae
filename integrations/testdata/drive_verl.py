"""Drives RLEFInteraction the way verl's ToolAgentLoop does: the
interaction is built from the interaction config (class_name + config),
started with interaction_kwargs from the dataset row, and called after
every assistant turn with the whole message list; its reply becomes the
next user message, its score goes to turn_scores, and the rollout ends
when it says so or after max_assistant_turns. The trajectory's reward
comes from the custom reward function.

Usage: drive_verl.py SCENARIO.json; prints a JSON result.
"""

import asyncio
import importlib
import json
import sys


def load_class(name):
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(module), cls)


async def rollout(scenario):
    cfg = scenario["interaction_config"]["interaction"][0]
    interaction = load_class(cfg["class_name"])(dict(cfg.get("config", {}), name=cfg["name"]))
    kwargs = scenario["extra_info"]["interaction_kwargs"]
    request_id = "req-1"
    await interaction.start_interaction(request_id, **kwargs)
    messages = [{"role": "user", "content": scenario["prompt"]}]
    turn_scores, all_metrics = [], []
    for reply in scenario["assistant_turns"][: scenario["max_assistant_turns"]]:
        messages.append({"role": "assistant", "content": reply})
        done, text, score, metrics = await interaction.generate_response(request_id, messages, **kwargs)
        messages.append({"role": "user", "content": text})
        if score is not None:
            turn_scores.append(score)
        all_metrics.append(metrics)
        if done:
            break
    final = await interaction.calculate_score(request_id)
    await interaction.finalize_interaction(request_id)
    reward_fn = load_class("rlef_reward.compute_score")
    reward = reward_fn("rlef", messages[-2]["content"], None, {"turn_scores": turn_scores})
    return {"turn_scores": turn_scores, "final_score": final, "reward": reward,
            "messages": messages, "metrics": all_metrics}


def main():
    scenario = json.load(open(sys.argv[1]))
    print(json.dumps(asyncio.run(rollout(scenario))))


if __name__ == "__main__":
    main()
