#!/usr/bin/env python3
"""Load a prompt from an agentc bundle and print the request to send.

    python3 load.py BUNDLE AGENT TARGET
    python3 load.py --content BUNDLE AGENT TARGET

BUNDLE is what `agentc bundle` wrote: agentc-bundle.json, a .tar.gz or a .zip
(the manifest inside it is read). The printed JSON is the body of the
provider's API request with the agent's prompt in place (OpenAI `messages`,
Gemini `system_instruction`, Anthropic `system`, Ollama chat `messages`,
DeepSeek `messages` or, for R1-style models, `user_prefix`); an app adds its
user message and sends it. With --content, the file exactly as `agentc build`
writes it is printed instead, for any target (a file that several agents
share, such as roo's `.roomodes`, is stored once in the bundle's `shared`).
Standard library only.
"""

import json
import os
import sys
import tarfile
import zipfile

BUNDLE_VERSION = 2
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


def request(bundle, agent, target):
    """The ready-to-send request body of one agent for one target."""
    prompt = entry(bundle, agent, target)
    if "request" not in prompt:
        raise BundleError(f"target `{target}` is a tool file, not an API prompt: use --content")
    return prompt["request"]


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
    as_content = args[:1] == ["--content"]
    if as_content:
        args = args[1:]
    if len(args) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        bundle = load(args[0])
        if as_content:
            text = content(bundle, args[1], args[2])
        else:
            text = json.dumps(request(bundle, args[1], args[2]), indent=2, ensure_ascii=False) + "\n"
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
