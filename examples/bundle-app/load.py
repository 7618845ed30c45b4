#!/usr/bin/env python3
"""Load a prompt from an agentc bundle and print the request to send.

    python3 load.py [--api API] [--user TEXT] BUNDLE AGENT TARGET
    python3 load.py --content BUNDLE AGENT TARGET

BUNDLE is what `agentc bundle` wrote: agentc-bundle.json, a .tar.gz or a .zip
(the manifest inside it is read). The printed JSON is the body of one
provider API request with the agent's prompt in place (`openai.chat`,
`openai.responses`, `anthropic.messages`, `gemini.generate_content`,
`ollama.chat`; --api picks one, else the first by name) and, with --user, the
user's message put where the request says. An app adds what the request
`needs` (the model, `max_tokens`) and sends it. With --content, the file
exactly as `agentc build` writes it is printed instead, for any target (a
file that several agents share, such as roo's `.roomodes`, is stored once in
the bundle's `shared`). Standard library only.
"""

import json
import os
import sys
import tarfile
import zipfile

BUNDLE_VERSION = 3
MANIFEST = "agentc-bundle.json"


class BundleError(Exception):
    pass


def read_manifest(path):
    """The manifest's text, from a JSON file or from inside an archive."""
    with open(path, "rb") as f:
        head = f.read(4)
    try:
        if head.startswith(b"\x1f\x8b"):
            with tarfile.open(path, "r:gz") as tar:
                member = tar.extractfile(MANIFEST)
                if member is None:
                    raise BundleError(f"{path}: {MANIFEST} is not a file")
                return member.read().decode("utf-8")
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as z:
                return z.read(MANIFEST).decode("utf-8")
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (KeyError, tarfile.TarError, zipfile.BadZipFile, UnicodeDecodeError, EOFError) as e:
        raise BundleError(f"{path}: not a readable agentc bundle: {e}") from e


def load(path):
    try:
        bundle = json.loads(read_manifest(path))
    except json.JSONDecodeError as e:
        raise BundleError(f"{path}: not an agentc bundle: {e}") from e
    if not isinstance(bundle, dict) or bundle.get("bundle_version") != BUNDLE_VERSION:
        found = bundle.get("bundle_version") if isinstance(bundle, dict) else None
        hint = f" (it is version {found}: write it again with `agentc bundle`)" if isinstance(found, int) else ""
        raise BundleError(f"{path}: not an agentc bundle of version {BUNDLE_VERSION}{hint}")
    return bundle


def entry(bundle, agent, target):
    """The bundle's entry for one agent and one target."""
    found = bundle["agents"].get(agent)
    if found is None:
        raise BundleError(f"no agent `{agent}`; the bundle has: {', '.join(bundle['agents'])}")
    prompt = found["targets"].get(target)
    if prompt is None:
        raise BundleError(f"agent `{agent}` has no target `{target}`; it has: {', '.join(found['targets'])}")
    return prompt


def requests(bundle, agent, target):
    """The requests of one agent for one target, by API."""
    prompt = entry(bundle, agent, target)
    if not prompt.get("requests"):
        raise BundleError(f"target `{target}` is a tool file, not an API prompt: use --content")
    return prompt["requests"]


def request(bundle, agent, target, api=None):
    """One request (`body`, `user`, `needs`) of one agent for one target: the
    one for `api`, or the first by name."""
    found = requests(bundle, agent, target)
    if api is None:
        api = sorted(found)[0]
    if api not in found:
        raise BundleError(f"`{agent}` × `{target}` has no request for `{api}`; it has: {', '.join(found)}")
    return found[api]


def _pointer(doc, pointer):
    """The value at a JSON Pointer (RFC 6901), and its parent and key."""
    parent, key = None, None
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        parent = doc
        if isinstance(doc, list):
            if not key.isdigit() or int(key) >= len(doc):
                return None, parent, key
            key = int(key)
            doc = doc[key]
        elif isinstance(doc, dict):
            doc = doc.get(key)
        else:
            return None, parent, key
    return doc, parent, key


def _fill(value, placeholder, text):
    if isinstance(value, str):
        return value.replace(placeholder, text)
    if isinstance(value, list):
        return [_fill(v, placeholder, text) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, placeholder, text) for k, v in value.items()}
    return value


def with_user(req, text):
    """A copy of the request's body with the user's `text` where `user` says:
    appended to an array, set at a key, or in place of the placeholder."""
    body = json.loads(json.dumps(req["body"]))
    user = req["user"]
    at, action, mark = user["at"], user["action"], user["placeholder"]
    if not at.startswith("/"):
        raise BundleError(f"`user.at` is not a JSON Pointer: {at!r}")
    found, parent, key = _pointer(body, at)
    if action == "append" and isinstance(found, list):
        found.append(_fill(user["value"], mark, text))
    elif action == "set" and isinstance(parent, dict):
        parent[key] = _fill(user["value"], mark, text)
    elif action == "replace" and isinstance(found, str) and found.count(mark) == 1:
        parent[key] = found.replace(mark, text)
    else:
        raise BundleError(f"cannot {action} the user's message at `{at}`")
    return body


def content(bundle, agent, target):
    """The file of one agent for one target, exactly as `agentc build` writes it:
    the entry's own `content`, or the shared file at the entry's `path`."""
    prompt = entry(bundle, agent, target)
    if "content" in prompt:
        return prompt["content"]
    shared = bundle.get("shared", {}).get(prompt["path"])
    if shared is None:
        raise BundleError(f"`{agent}` × `{target}`: `{prompt['path']}` is missing from `shared`")
    return shared["content"]


def main(argv):
    args = argv[1:]
    as_content, api, user = False, None, None
    while args[:1] in (["--content"], ["--api"], ["--user"]):
        flag = args.pop(0)
        if flag == "--content":
            as_content = True
        elif args:
            value = args.pop(0)
            api, user = (value, user) if flag == "--api" else (api, value)
    if len(args) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        bundle = load(args[0])
        if as_content:
            text = content(bundle, args[1], args[2])
        else:
            req = request(bundle, args[1], args[2], api)
            body = req["body"] if user is None else with_user(req, user)
            text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    except (OSError, BundleError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    try:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    except BrokenPipeError:
        # A reader that stops early (`| head`) is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
