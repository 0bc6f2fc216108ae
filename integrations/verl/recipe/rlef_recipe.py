"""verl recipe for RLEF: turn-level PPO with execution feedback from `rlef serve`.

Run (from this directory, with verl installed and `rlef serve` up):

    python3 rlef_recipe.py --config-name=rlef_ppo actor_rollout_ref.model.path=... data.train_files=...

It is verl's main_ppo with two changes, made in the Ray task runner before the
trainer starts (see README.md):

* ``compute_advantage`` is replaced by RLEF's (rlef_advantage.py): per-turn
  rewards from the interaction's turn scores minus beta times the per-turn KL
  (mean token log-ratio of the rollout policy against the reference), Monte-Carlo
  returns per turn, the value read at each turn's last prompt token, one
  advantage per turn broadcast over its tokens; the reward is placed on each
  turn's last response token;
* the critic is trained only at those value positions (a turn-level value
  function), by handing it a mask with one 1 per turn during its update.

``algorithm.adv_estimator`` must stay ``gae`` so that verl builds the critic;
the estimator itself is replaced.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rlef_advantage import rlef_advantages  # noqa: E402


def make_compute_advantage(rlef):
    """Returns a drop-in for verl.trainer.ppo.ray_trainer.compute_advantage
    with the recipe's settings (the config's top-level ``rlef`` section)."""
    beta = float(rlef.get("beta", 0.05))
    normalize = bool(rlef.get("normalize_advantages", True))
    kl_from_rollout = bool(rlef.get("kl_from_rollout", False))

    def compute_advantage(data, adv_estimator=None, gamma=1.0, lam=1.0, num_repeat=1,
                          norm_adv_by_std_in_grpo=True, config=None):
        return compute_advantage_rlef(data, gamma, beta, normalize, kl_from_rollout)

    return compute_advantage


def compute_advantage_rlef(data, gamma=1.0, beta=0.05, normalize=True, kl_from_rollout=False):
    """RLEF's advantages and returns for a verl batch (DataProto)."""
    import torch

    if gamma != 1.0:
        raise ValueError("RLEF uses undiscounted returns: set algorithm.gamma=1.0")
    batch = data.batch
    mask = batch["response_mask"]
    if "turn_scores" not in data.non_tensor_batch:
        raise KeyError("no turn_scores in the batch: run the rlef interaction through verl's tool_agent loop "
                       "(actor_rollout_ref.rollout.agent.default_agent_loop=tool_agent)")
    old = batch["rollout_log_probs"] if kl_from_rollout else batch["old_log_probs"]
    out = rlef_advantages(
        mask.detach().cpu().numpy(), old.detach().float().cpu().numpy(),
        batch["ref_log_prob"].detach().float().cpu().numpy(), batch["values"].detach().float().cpu().numpy(),
        list(data.non_tensor_batch["turn_scores"]), beta=beta, normalize=normalize)

    def put(key, value, dtype=torch.float32):
        batch[key] = torch.as_tensor(np.asarray(value), dtype=dtype, device=mask.device)

    put("token_level_rewards", out["token_level_rewards"])
    put("advantages", out["advantages"])
    put("returns", out["returns"])
    put("rlef_value_mask", out["value_mask"], dtype=mask.dtype)
    return data


def install(config):
    """Patches verl's trainer module; called inside the Ray task runner."""
    import verl.trainer.ppo.ray_trainer as rt

    rlef = config.get("rlef", None) or {}
    rt.compute_advantage = make_compute_advantage(rlef)
    original = rt.RayPPOTrainer._update_critic
    if getattr(original, "_rlef", False):
        return

    def update_critic(self, batch):
        # The critic regresses each turn's value at its last prompt token
        # only: swap in the value mask for its update.
        response_mask = batch.batch["response_mask"]
        batch.batch["response_mask"] = batch.batch["rlef_value_mask"]
        try:
            return original(self, batch)
        finally:
            batch.batch["response_mask"] = response_mask

    update_critic._rlef = True
    rt.RayPPOTrainer._update_critic = update_critic


def main():
    import hydra
    import ray
    from verl.trainer.main_ppo import TaskRunner, run_ppo

    class RLEFTaskRunner(TaskRunner):
        def run(self, config):
            install(config)
            return super().run(config)

    @hydra.main(config_path="config", config_name="rlef_ppo", version_base=None)
    def entry(config):
        run_ppo(config, task_runner_class=ray.remote(num_cpus=1)(RLEFTaskRunner))

    entry()


if __name__ == "__main__":
    main()
