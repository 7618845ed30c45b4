#!/usr/bin/env python3
"""Send every request of an agentc bundle through the official Python SDKs to a
loopback server, and check that each body arrives as the bundle says.

    python3 sdk_check.py BUNDLE [--verbose]

For each agent × target × API request in BUNDLE, the user's message is put where
the request says (`with_user` from load.py), what the request `needs` is added
(a model name, `max_tokens`), and the body goes through the provider's own SDK:

    openai.chat              openai      client.chat.completions.create(**body)
    openai.responses         openai      client.responses.create(**body)
    anthropic.messages       anthropic   client.messages.create(**body)
    gemini.generate_content  google-genai client.models.generate_content(
                                             contents=..., config=the other keys)
    ollama.chat              ollama      Client.chat(**body)

Every client points at a server on 127.0.0.1 that records what arrives and
answers with a minimal reply of the API's shape: nothing leaves the machine. A
request passes when the SDK accepted it, it reached the API's path, and the
JSON that arrived holds the body (keys compared after the SDK's own spelling,
such as Gemini's camelCase, is mapped back; keys the SDK adds are allowed).
Values must arrive with their JSON type: a number, a string and a boolean never
stand for one another, and Ollama's `options` (`num_ctx` and the other integer
options, which Ollama refuses as strings) must be integers in the bundle too.
Exit 0 when every request passes, 1 when one does not, 2 on a usage error, 3
when an SDK is missing (install them with `pip install -r requirements.txt`).
"""

import http.server
import json
import os
import re
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (the loader beside this script)

# Loopback only: no proxy may see these requests.
for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

USER_TEXT = 'Please help with this: "quotes", {{braces}}, $1 and \\ backslash, ünïcode.'
MODEL = "test-model"
MAX_TOKENS = 1024

REPLIES = {
    "/v1/chat/completions": {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "ok"}}],
    },
    "/v1/responses": {
        "id": "resp_1", "object": "response", "created_at": 0, "model": MODEL,
        "status": "completed", "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
        "output": [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                    "content": [{"type": "output_text", "text": "ok", "annotations": []}]}],
    },
    "/v1/messages": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": MODEL,
        "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
        "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1},
    },
    "gemini": {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]},
                        "finishReason": "STOP", "index": 0}],
        "modelVersion": MODEL,
    },
    "/api/chat": {
        "model": MODEL, "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": "ok"}, "done": True, "done_reason": "stop",
    },
}

GEMINI_PATH = re.compile(r"^/v1beta/models/([^/:]+):generateContent$")


class Recorder(http.server.BaseHTTPRequestHandler):
    arrived = []

    def do_POST(self):  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = self.path.split("?")[0]
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        Recorder.arrived.append((path, body))
        reply = REPLIES.get(path) or (REPLIES["gemini"] if GEMINI_PATH.match(path) else None)
        data = json.dumps(reply if reply is not None else {"error": "unknown path"}).encode()
        self.send_response(200 if reply is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def snake(key):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def snake_keys(value):
    if isinstance(value, dict):
        return {snake(k): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def holds(arrived, wanted, where=""):
    """Where `arrived` differs from `wanted` (every key of `wanted`, recursively;
    lists element by element), or None."""
    if isinstance(wanted, dict):
        if not isinstance(arrived, dict):
            return f"{where or '/'}: expected an object, got {json.dumps(arrived)[:80]}"
        for k, v in wanted.items():
            if k not in arrived:
                return f"{where}/{k}: missing"
            why = holds(arrived[k], v, f"{where}/{k}")
            if why:
                return why
        return None
    if isinstance(wanted, list):
        if not isinstance(arrived, list) or len(arrived) != len(wanted):
            return f"{where}: expected a list of {len(wanted)}, got {json.dumps(arrived)[:80]}"
        for i, (a, w) in enumerate(zip(arrived, wanted)):
            why = holds(a, w, f"{where}/{i}")
            if why:
                return why
        return None
    if arrived != wanted or json_type(arrived) != json_type(wanted):
        return f"{where}: expected {json.dumps(wanted)[:80]}, got {json.dumps(arrived)[:80]}"
    return None


def json_type(value):
    """The JSON type of a scalar (`1 == True` and `1 == 1.0` in Python, not in JSON)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return type(value).__name__


# Ollama's integer options (api/types.go `Options` and `Runner`): Ollama answers
# 400 "must be of type integer" to a string, and the ollama SDK passes a dict
# of options through without converting it.
OLLAMA_INTEGERS = ("num_ctx", "num_batch", "num_gpu", "main_gpu", "num_thread",
                   "num_keep", "seed", "num_predict", "top_k", "repeat_last_n")


def ollama_types(body):
    """Where an Ollama body's integer option is not an integer, or None."""
    options = body.get("options")
    if options is None:
        return None
    if not isinstance(options, dict):
        return f"/options: expected an object, got {json.dumps(options)[:80]}"
    for key in OLLAMA_INTEGERS:
        if key in options and json_type(options[key]) != "integer":
            return f"/options/{key}: expected an integer, got {json.dumps(options[key])[:80]}"
    return None


class Sdks:
    """One client per SDK, all pointed at the loopback server."""

    def __init__(self, port):
        import anthropic
        import ollama
        import openai
        from google import genai
        from google.genai import types

        base = f"http://127.0.0.1:{port}"
        self.openai = openai.OpenAI(base_url=f"{base}/v1", api_key="test", max_retries=0)
        self.anthropic = anthropic.Anthropic(base_url=base, api_key="test", max_retries=0)
        self.genai = genai.Client(
            api_key="test", http_options=types.HttpOptions(base_url=base, api_version="v1beta")
        )
        self.ollama = ollama.Client(host=base)

    def send(self, api, body):
        """Sends `body` through the API's SDK; returns the path it must reach and
        the body that must arrive (in the API's wire spelling, snake_case)."""
        if api == "openai.chat":
            self.openai.chat.completions.create(**body)
            return "/v1/chat/completions", body
        if api == "openai.responses":
            self.openai.responses.create(**body)
            return "/v1/responses", body
        if api == "anthropic.messages":
            self.anthropic.messages.create(**body)
            return "/v1/messages", body
        if api == "gemini.generate_content":
            rest = {k: v for k, v in body.items() if k not in ("model", "contents")}
            self.genai.models.generate_content(
                model=body["model"], contents=body["contents"], config=rest or None
            )
            wanted = {k: v for k, v in body.items() if k != "model"}
            return f"/v1beta/models/{body['model']}:generateContent", wanted
        if api == "ollama.chat":
            self.ollama.chat(**body)
            return "/api/chat", body
        raise KeyError(api)


def versions():
    from importlib.metadata import version

    return ", ".join(f"{p} {version(p)}" for p in ("openai", "anthropic", "google-genai", "ollama"))


def main(argv):
    args = [a for a in argv[1:] if a != "--verbose"]
    verbose = "--verbose" in argv[1:]
    if len(args) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sdks = Sdks(server.server_address[1])
    except ImportError as e:
        print(f"error: an SDK is missing ({e}): pip install -r requirements.txt", file=sys.stderr)
        return 3
    try:
        bundle = load.load(args[0])
    except (OSError, load.BundleError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    passed, failures, by_api = 0, [], {}
    for agent, entry in sorted(bundle["agents"].items()):
        for target, t in sorted(entry["targets"].items()):
            for api, req in sorted((t.get("requests") or {}).items()):
                what = f"{agent} × {target} × {api}"
                by_api[api] = by_api.get(api, 0) + 1
                try:
                    body = load.with_user(req, USER_TEXT)
                    for need in req["needs"]:
                        body[need] = {"model": MODEL, "max_tokens": MAX_TOKENS}[need]
                    Recorder.arrived.clear()
                    path, wanted = sdks.send(api, body)
                except Exception as e:  # an SDK refusing the body is the finding
                    failures.append(f"{what}: {type(e).__name__}: {str(e)[:300]}")
                    continue
                if len(Recorder.arrived) != 1:
                    failures.append(f"{what}: {len(Recorder.arrived)} requests arrived, not 1")
                    continue
                got_path, got = Recorder.arrived[0]
                why = None
                if got_path != path:
                    why = f"arrived at {got_path}, not {path}"
                elif got is None:
                    why = "the body is not JSON"
                else:
                    why = holds(snake_keys(got) if api.startswith("gemini") else got, wanted)
                if not why and api.startswith("ollama."):
                    why = ollama_types(req["body"]) or ollama_types(got)
                if why:
                    failures.append(f"{what}: {why}")
                else:
                    passed += 1
                    if verbose:
                        print(f"ok {what}")
    server.shutdown()
    total = passed + len(failures)
    counts = ", ".join(f"{api} {n}" for api, n in sorted(by_api.items()))
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"{passed}/{total} requests arrived as the bundle says ({counts}); SDKs: {versions()}")
    if total == 0:
        print("error: the bundle holds no request", file=sys.stderr)
        return 1
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
