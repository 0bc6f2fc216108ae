"""Calls rlef serve the way verl's SandboxFusion reward and OpenRLHF's
remote reward call it, with the standard library standing in for
requests/aiohttp, and scores the answers with verl's published rules.

verl (reward_score/sandbox_fusion/utils.py call_sandbox_api at b178a3c):
one POST per test case with {compile_timeout, run_timeout, code, stdin,
memory_limit_MB, language, files, fetch_files}, with requests.post and
timeout = compile_timeout + run_timeout + 10 s (requests applies it to the
connection and to each read); up to three attempts, retrying only 504,
after 1 s and 2 s; any other error ends the call. The response maps to
True/False (stdout compared after rstrip("\\n")), -1 (API or sandbox
error), -2 (runtime error), -3 (time limit) or -4 (compile error or
timeout). verl's defaults: timeout 10 s, memory 1024 MB.

With "burst" in the cases, many verl calls run at once from threads (as
verl's check_correctness does), each started after its delay.

Usage: drive_clients.py CASES.json BASE_URL [QUERY]; QUERY (e.g. "?token=T") is
appended to every endpoint URL, as a token is passed to clients that send no
headers. Prints a JSON result.
"""

import concurrent.futures
import json
import sys
import time
import urllib.error
import urllib.request

try:
    import requests
except ImportError:  # urllib's time-out is per socket operation too
    requests = None

API_TIMEOUT = 10


def post(url, body, timeout):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read())


def call_sandbox(url, code, stdin, language, timeout=10, memory_limit_mb=1024):
    """verl's call_sandbox_api: the response JSON, or None after an error."""
    body = {"compile_timeout": timeout, "run_timeout": timeout, "code": code, "stdin": stdin,
            "memory_limit_MB": memory_limit_mb, "language": language, "files": {}, "fetch_files": []}
    request_timeout = timeout + timeout + API_TIMEOUT
    for attempt in range(3):
        try:
            status, resp = post_raw(url, body, request_timeout)
        except Exception:  # verl: any request error ends the call (no retry)
            return None
        if status == 504:
            if attempt < 2:
                time.sleep(attempt + 1)
            continue
        if status != 200:
            return None
        return resp
    return None


def post_raw(url, body, timeout):
    if requests is not None:
        r = requests.post(url, headers={"Content-Type": "application/json", "Accept": "application/json"},
                          data=json.dumps(body), timeout=timeout)
        return r.status_code, (r.json() if r.status_code == 200 else None)
    try:
        return post(url, body, timeout)
    except urllib.error.HTTPError as e:
        return e.code, None


def burst(base, query, spec):
    """Runs verl calls at once; returns each one's result and timings."""
    def one(case):
        time.sleep(case.get("delay", 0))
        start = time.time()
        resp = call_sandbox(base + "/run_code" + query, case["code"], case.get("stdin"), case.get("language", "python"),
                            timeout=case.get("timeout", 10))
        run = (resp or {}).get("run_result") or {}
        return {"name": case["name"], "result": verl_result(resp, case.get("expected", "")),
                "latency": time.time() - start, "queue_wait": (resp or {}).get("queue_wait_seconds"),
                "execution_time": run.get("execution_time")}
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(spec)) as pool:
        return list(pool.map(one, spec))


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
    if "burst" in cases:
        print(json.dumps({"burst": burst(base, query, cases["burst"]), "requests": requests is not None}))
        return
    results = {}
    for case in cases["sandbox_fusion"]:
        resp = call_sandbox(base + "/run_code" + query, case["code"], case.get("stdin"), case.get("language", "python"),
                            timeout=case.get("timeout", 10))
        results[case["name"]] = verl_result(resp, case.get("expected", ""))
    reward = cases["openrlhf"]
    status, body = post(base + "/get_reward" + query, {"query": reward["query"], "prompts": reward["prompts"],
                                                "labels": reward["labels"]}, 180)
    # OpenRLHF makes tensors of these: JSON integers would make int64 ones.
    floats = all(isinstance(v, float) for k in ("rewards", "scores") for v in body[k]) and \
        all(isinstance(v, float) for vs in body["extra_logs"].values() for v in vs)
    print(json.dumps({"sandbox_fusion": results, "openrlhf_status": status, "openrlhf": body, "openrlhf_floats": floats}))


if __name__ == "__main__":
    main()
