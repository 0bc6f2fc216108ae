"""Drives RLEFEnv the way SkyRL's generator does: the environment is made
from the dataset row (env_config from the trainer config, extras from the
row), init() returns the prompt, every model reply goes to step(), the
observations are appended, and close() ends it.

Usage: drive_skyrl.py SCENARIO.json; prints a JSON result.
"""

import json
import sys

from rlef_env import RLEFEnv


def main():
    scenario = json.load(open(sys.argv[1]))
    env = RLEFEnv(env_config=scenario["env_config"], extras=scenario["row"])
    prompt, meta = env.init(scenario["row"]["prompt"])
    chat = list(prompt)
    rewards, outputs = [], []
    for action in scenario["actions"]:
        out = env.step(action)
        chat.append({"role": "assistant", "content": action})
        chat.extend(out["observations"])
        rewards.append(out["reward"])
        outputs.append({"done": out["done"], "metadata": out["metadata"], "observations": out["observations"]})
        if out["done"]:
            break
    metrics = env.get_metrics()
    env.close()
    print(json.dumps({"prompt": prompt, "init_metadata": meta, "rewards": rewards, "outputs": outputs,
                      "chat": chat, "metrics": metrics, "closed": env.episode_id is None}))


if __name__ == "__main__":
    main()
