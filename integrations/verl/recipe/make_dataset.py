"""Writes a verl dataset (parquet) of RLEF episodes served by `rlef serve`.

    rlef data show codecontests --split train > train.json
    python3 make_dataset.py --set train.json --url http://127.0.0.1:8080 --out train.parquet

Each row's prompt is the problem's RLEF prompt exactly as the server renders it
(POST /v1/episodes, then DELETE), and extra_info.interaction_kwargs names the
problem for the rlef interaction. The benchmark the server was started with must
contain the problems. Needs pandas with a parquet engine (verl installs both).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir))

from rlef_client import RLEFClient  # noqa: E402


def rows(client, problem_ids, split, max_turns, feedback):
    for i, pid in enumerate(problem_ids):
        created = client.create_episode(pid, max_turns=max_turns, feedback=feedback)
        client.delete(created["episode_id"])
        yield {
            "data_source": "rlef/" + created["benchmark"],
            "agent_name": "tool_agent",
            "prompt": created["messages"],
            "ability": "code",
            "reward_model": {"style": "rule", "ground_truth": pid},
            "extra_info": {"split": split, "index": i,
                           "interaction_kwargs": {"name": "rlef", "problem": pid, "max_turns": max_turns, "feedback": feedback}},
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", required=True, help="JSON from `rlef data show NAME` (its problem ids are used)")
    ap.add_argument("--url", default=os.environ.get("RLEF_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--token", default=os.environ.get("RLEF_TOKEN"))
    ap.add_argument("--split", default="train")
    ap.add_argument("--max-turns", type=int, default=3)
    ap.add_argument("--feedback", default="rlef", choices=["rlef", "random", "none"])
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.set) as f:
        problems = json.load(f)["problems"]
    ids = [p["id"] for p in problems]
    if args.limit:
        ids = ids[:args.limit]
    import pandas as pd

    client = RLEFClient(base_url=args.url, token=args.token)
    df = pd.DataFrame(list(rows(client, ids, args.split, args.max_turns, args.feedback)))
    df.to_parquet(args.out)
    print("%d rows -> %s" % (len(df), args.out))


if __name__ == "__main__":
    main()
