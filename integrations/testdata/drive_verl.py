"""Drives RLEFInteraction in verl's real turn order and scores the rollouts
as verl's trainer would.

The rollout follows verl's ToolAgentLoop (verl/experimental/agent_loop/
tool_agent_loop.py at b178a3c), state by state:
  - the interaction map is built from the interaction config for every
    rollout (class(config=...)), and start_interaction(request_id,
    **interaction_kwargs) is called before the first turn;
  - GENERATING: the model's turn is appended (response mask 1) and
    assistant_turns grows; then the rollout TERMINATES if the response is
    too long, if assistant_turns >= max_assistant_turns, or if
    user_turns >= max_user_turns -- before the interaction sees the turn;
    otherwise the turn, decoded, is appended to the messages;
  - INTERACTING: generate_response(request_id, messages,
    **interaction_kwargs); user_turns grows; the reply becomes a user
    message whose template tokens are appended with mask 0 -- also when
    the interaction ends the rollout; a score that is not None is
    appended to turn_scores; the rollout ends if the interaction says so.
verl never calls calculate_score or finalize_interaction (the scenario may
ask for finalize_interaction afterwards, as a trainer of one's own would).

Scoring: the reward function gets extra_info["turn_scores"]; verl puts its
score on the last token of the row (agent_loop.py _postprocess, the reward
loop: position attention_mask.sum() - 1), which in a multi-turn rollout is
the last masked token of the final reply. GAE (core_algos.py
compute_gae_advantage_return) and GRPO (compute_grpo_outcome_advantage)
are computed as verl computes them, on that placement and on
rlef_reward.reward_on_last_response_token's.

Tokens are words here (a stand-in tokenizer): a turn of n words is n + 1
tokens (its end-of-turn token), a user message of n words n + 4 (its
header tokens), so an empty reply still has tokens, as in every chat
template.

With "code_score" in the scenario, it calls rlef_reward.compute_code_score
instead, as verl's reward manager calls a custom reward function.

Usage: drive_verl.py SCENARIO.json; prints a JSON result. A file
{"scenarios": {NAME: SCENARIO, ...}} plays each and prints
{"results": {NAME: RESULT, ...}}.
"""

import asyncio
import importlib
import json
import sys
from uuid import uuid4

import torch


def load_class(name):
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(module), cls)


def assistant_tokens(text):
    return len(text.split()) + 1


def user_tokens(text):
    return len(text.split()) + 4


async def rollout(scenario, replies):
    """One ToolAgentLoop.run; returns the rollout's outputs."""
    interaction_map = {}
    for item in scenario["interaction_config"]["interaction"]:
        config = dict(item.get("config", {}), name=item["name"])
        interaction_map[item["name"]] = load_class(item["class_name"])(config=config)
    kwargs = scenario["extra_info"]["interaction_kwargs"]
    interaction = interaction_map[kwargs["name"]]
    request_id = uuid4().hex
    await interaction.start_interaction(request_id, **kwargs)

    messages = [{"role": "user", "content": scenario["prompt"]}]
    response_mask, turn_scores, metrics = [], [], []
    user_turns = assistant_turns = 0
    max_assistant, max_user = scenario.get("max_assistant_turns"), scenario.get("max_user_turns")
    response_length = scenario.get("response_length", 100000)
    state, replies = "generating", list(replies)
    while state != "terminated":
        if state == "generating":
            reply = replies.pop(0) if replies else "(no more scripted replies)"
            assistant_turns += 1
            response_mask += [1] * assistant_tokens(reply)
            if len(response_mask) >= response_length:
                state = "terminated"
            elif max_assistant and assistant_turns >= max_assistant:
                state = "terminated"
            elif max_user and user_turns >= max_user:
                state = "terminated"
            else:
                messages.append({"role": "assistant", "content": reply})
                state = "interacting"
        else:
            done, text, score, m = await interaction.generate_response(request_id, messages, **kwargs)
            user_turns += 1
            messages.append({"role": "user", "content": text})
            if score is not None:
                turn_scores.append(score)
            metrics.append(m)
            response_mask += [0] * user_tokens(text)
            state = "terminated" if done else "generating"
    out = {"turn_scores": turn_scores, "messages": messages, "metrics": metrics, "response_mask": response_mask,
           "assistant_turns": assistant_turns, "user_turns": user_turns}
    if scenario.get("finalize"):
        out["calculate_score"] = await interaction.calculate_score(request_id)
        await interaction.finalize_interaction(request_id)
        await interaction.finalize_interaction(request_id)  # twice: harmless
    return out


def gae(token_level_rewards, values, response_mask, gamma=1.0, lam=1.0):
    """verl's compute_gae_advantage_return, before whitening."""
    nextvalues, lastgaelam, reversed_adv = 0, 0, []
    for t in reversed(range(token_level_rewards.shape[-1])):
        delta = token_level_rewards[:, t] + gamma * nextvalues - values[:, t]
        lastgaelam_ = delta + gamma * lam * lastgaelam
        nextvalues = values[:, t] * response_mask[:, t] + (1 - response_mask[:, t]) * nextvalues
        lastgaelam = lastgaelam_ * response_mask[:, t] + (1 - response_mask[:, t]) * lastgaelam
        reversed_adv.append(lastgaelam)
    return torch.stack(reversed_adv[::-1], dim=1)


def grpo(token_level_rewards, response_mask, eps=1e-6):
    """verl's compute_grpo_outcome_advantage for one group."""
    scores = token_level_rewards.sum(dim=-1)
    if scores.numel() > 1:
        scores = (scores - scores.mean()) / (scores.std() + eps)
    else:
        scores = torch.zeros_like(scores)
    return scores.unsqueeze(-1) * response_mask


async def main_async(scenario):
    rollouts = []
    for replies in scenario["rollouts"]:
        try:
            rollouts.append(await rollout(scenario, replies))
        except Exception as e:  # reported, for scenarios that expect a refusal
            rollouts.append({"error": f"{type(e).__name__}: {e}"})
    scored = [r for r in rollouts if "error" not in r]
    if not scored:
        return {"rollouts": rollouts}
    reward_fn = load_class("rlef_reward.compute_score")
    place = load_class("rlef_reward.reward_on_last_response_token")
    width = max(len(r["response_mask"]) for r in scored)
    mask = torch.zeros(len(scored), width)
    verl_scores = torch.zeros(len(scored), width)
    for i, r in enumerate(scored):
        r["reward"] = reward_fn("rlef", r["messages"][-2]["content"], None, {"turn_scores": r["turn_scores"]})
        n = len(r["response_mask"])
        mask[i, :n] = torch.tensor(r["response_mask"], dtype=torch.float32)
        verl_scores[i, n - 1] = r["reward"]  # the row's last valid token
    moved = place(verl_scores, mask)
    values = torch.zeros_like(mask)
    out = {"rollouts": rollouts}
    for name, scores in (("verl_placement", verl_scores), ("last_response_token", moved)):
        out[name] = {
            "gae": (gae(scores, values, mask) * mask).tolist(),
            "grpo": grpo(scores, mask).tolist(),
            "score_position": [int(torch.nonzero(row).flatten()[-1]) if row.any() else -1 for row in scores],
        }
    return out


def code_scores(samples):
    """rlef_reward.compute_code_score called as verl's reward manager calls
    a custom reward function (keyword arguments; a dict result's "score"
    is the reward, the other keys extra information)."""
    fn = load_class("rlef_reward.compute_code_score")
    return [fn(data_source="codecontests", solution_str=s["solution_str"], ground_truth=s["ground_truth"],
               extra_info={"split": "train"}) for s in samples]


def main():
    scenario = json.load(open(sys.argv[1]))
    if "code_score" in scenario:
        print(json.dumps({"code_scores": code_scores(scenario["code_score"])}))
        return
    if "scenarios" in scenario:
        # Several named scenarios in one process (importing torch takes
        # seconds), each played as if alone.
        results = {name: asyncio.run(main_async(s)) for name, s in scenario["scenarios"].items()}
        print(json.dumps({"results": results}))
        return
    print(json.dumps(asyncio.run(main_async(scenario))))


if __name__ == "__main__":
    main()
