"""Calls rlef serve the way verl's SandboxFusion reward and OpenRLHF's
remote reward call it, with the standard library standing in for
requests/aiohttp, and scores the answers with verl's published rules.

verl (reward_score/sandbox_fusion): one POST per test case with
{compile_timeout, run_timeout, code, stdin, memory_limit_MB, language,
files, fetch_files}; 504 is retried; the response maps to True/False
(stdout compared after rstrip("\\n")), -1 (API or sandbox error),
-2 (runtime error), -3 (time limit) or -4 (compile error or timeout).

Usage: drive_clients.py CASES.json BASE_URL [QUERY]; QUERY (e.g. "?token=T") is
appended to every endpoint URL, as a token is passed to clients that send no
headers. Prints a JSON result.
"""

import json
import sys
import time
import urllib.error
import urllib.request


def post(url, body, timeout):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read())


def call_sandbox(url, code, stdin, language, timeout=10, memory_limit_mb=1024):
    body = {"compile_timeout": timeout, "run_timeout": timeout, "code": code, "stdin": stdin,
            "memory_limit_MB": memory_limit_mb, "language": language, "files": {}, "fetch_files": []}
    for attempt in range(3):
        try:
            return post(url, body, timeout * 2 + 10)[1]
        except urllib.error.HTTPError as e:
            if e.code != 504:
                return None
            time.sleep(attempt + 1)
    return None


def verl_result(resp, expected):
    if resp is None:
        return -1
    status = resp.get("status")
    compile_result, run_result = resp.get("compile_result"), resp.get("run_result")
    if status == "SandboxError":
        return -1
    if status == "Failed":
        if compile_result and (compile_result.get("status") in ("Error", "TimeLimitExceeded")
                               or (compile_result.get("status") == "Finished" and compile_result.get("return_code") != 0)):
            return -4
        if run_result:
            rs = run_result.get("status")
            if rs == "TimeLimitExceeded":
                return -3
            if rs == "Error" or (rs == "Finished" and run_result.get("return_code") != 0):
                return -2
        return -1
    if status == "Success" and run_result and run_result.get("status") == "Finished":
        out = run_result.get("stdout") or ""
        return str(out).rstrip("\n") == str(expected).rstrip("\n")
    return -1


def main():
    cases, base = json.load(open(sys.argv[1])), sys.argv[2]
    query = sys.argv[3] if len(sys.argv) > 3 else ""
    results = {}
    for case in cases["sandbox_fusion"]:
        resp = call_sandbox(base + "/run_code" + query, case["code"], case.get("stdin"), case.get("language", "python"),
                            timeout=case.get("timeout", 10))
        results[case["name"]] = verl_result(resp, case.get("expected", ""))
    reward = cases["openrlhf"]
    status, body = post(base + "/get_reward" + query, {"query": reward["query"], "prompts": reward["prompts"],
                                                "labels": reward["labels"]}, 180)
    print(json.dumps({"sandbox_fusion": results, "openrlhf_status": status, "openrlhf": body}))


if __name__ == "__main__":
    main()
