"""Minimal client for `rlef serve` (standard library only).

Shared by the verl, SkyRL and OpenRLHF shims. Configuration comes from the
caller or from the environment: RLEF_URL (default http://127.0.0.1:8080)
and RLEF_TOKEN (a bearer token, when the server was started with --token;
it travels in the Authorization header, never in the URL, so it stays out
of trainers' logs).
"""

import json
import os
import time
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8080"

# Statuses worth retrying: the admission queue was full or busy (504,
# answered before any work), the server could not answer (503), too many
# live episodes (429).
RETRY_STATUSES = (429, 503, 504)


class RLEFError(RuntimeError):
    """The server refused a request (bad problem name, bad options, ...)."""

    def __init__(self, status, detail):
        super().__init__(f"rlef serve answered {status}: {detail}")
        self.status = status
        self.detail = detail


class RLEFClient:
    """Talks to one `rlef serve` instance."""

    def __init__(self, base_url=None, token=None, timeout=600.0, retries=5, backoff=1.0):
        self.base_url = (base_url or os.environ.get("RLEF_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("RLEF_TOKEN", "")
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)

    def request(self, method, path, body=None, idempotent=True):
        """Sends one request, retrying 429/503/504 and connection errors.

        A request that is not idempotent (an episode step) is not retried
        after a time-out or a broken connection: the server may have taken
        the step already, and sending it again would be a second turn."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        last = None
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                detail = _detail(e)
                if e.code not in RETRY_STATUSES:
                    raise RLEFError(e.code, detail) from None
                last = RLEFError(e.code, detail)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                if not idempotent and not _refused(e):
                    raise
                last = e
            if attempt < self.retries:
                time.sleep(self.backoff * (attempt + 1))
        raise last

    def create_episode(self, problem, **options):
        """Starts an episode; options are the POST /v1/episodes fields."""
        body = {"problem": problem}
        body.update({k: v for k, v in options.items() if v is not None})
        return self.request("POST", "/v1/episodes", body)

    def step(self, episode_id, assistant_text):
        return self.request("POST", f"/v1/episodes/{episode_id}/step", {"assistant_text": assistant_text},
                            idempotent=False)

    def state(self, episode_id):
        return self.request("GET", f"/v1/episodes/{episode_id}")

    def rewards(self, queries, labels, prompts=None):
        """Judges samples with POST /get_reward; returns the response
        (rewards, scores, extra_logs, verdicts, errors: one per sample)."""
        body = {"query": list(queries), "labels": list(labels)}
        if prompts is not None:
            body["prompts"] = list(prompts)
        return self.request("POST", "/get_reward", body)

    def delete(self, episode_id):
        """Deletes an episode; an already expired one is not an error."""
        try:
            self.request("DELETE", f"/v1/episodes/{episode_id}")
        except RLEFError as e:
            if e.status != 404:
                raise


def _refused(err):
    """Whether a connection error happened before the request was sent."""
    reason = getattr(err, "reason", err)
    return isinstance(reason, ConnectionRefusedError)


def _detail(err):
    try:
        return json.loads(err.read().decode("utf-8")).get("detail")
    except Exception:  # the body is not FastAPI's {"detail": ...}
        return err.reason


def text_of(content):
    """The text of a message's content (a string, or OpenAI-style parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


# Episode options a shim passes through from its configuration.
EPISODE_OPTIONS = (
    "benchmark", "max_turns", "feedback", "extraction", "template",
    "close_assistant", "force_think", "omit_bos", "prefill", "seed",
)
