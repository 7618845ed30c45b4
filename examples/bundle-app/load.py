#!/usr/bin/env python3
"""Load a prompt from an agentc bundle and print the request to send.

    python3 load.py [--api API] [--user TEXT] BUNDLE AGENT TARGET
    python3 load.py --content BUNDLE AGENT TARGET

BUNDLE is what `agentc bundle` wrote: agentc-bundle.json, a .tar.gz or a .zip
(the manifest inside it is read), as strictly as `agentc check --bundle` reads
it: an archive must hold the manifest once and exactly the files it lists,
plain files and folders only, within the same size limits; every file must
match its sha256. The printed JSON is the body of one
provider API request with the agent's prompt in place (`openai.chat`,
`openai.responses`, `anthropic.messages`, `gemini.generate_content`,
`ollama.chat`; --api picks one, else the first by name) and, with --user, the
user's message put where the request says. An app adds what the request
`needs` (the model, `max_tokens`) and sends it. With --content, the file
exactly as `agentc build` writes it is printed instead, for any target (a
file that several agents share, such as roo's `.roomodes`, is stored once in
the bundle's `shared`). Standard library only.
"""

import hashlib
import json
import os
import sys
import zipfile
import zlib

BUNDLE_VERSION = 3
MANIFEST = "agentc-bundle.json"
MIB = 1024 * 1024
# The limits `agentc check --bundle` keeps: the manifest, and all an archive unpacks to.
MAX_MANIFEST = 512 * MIB
MAX_UNPACKED = 1024 * MIB
ONLY = "a bundle holds only files and folders"
TOP_KEYS = {"bundle_version", "agentc_version", "source_digest", "targets", "agents", "shared"}
SHARED_KEYS = {"target", "agents", "content", "sha256", "characters", "tokens"}


class BundleError(Exception):
    pass


def bad_path(path):
    """Why an entry's path is not a plain relative path, or None."""
    parts = path.split("/")
    if path == "":
        return "an empty path"
    if path.startswith("/"):
        return "an absolute path"
    if "\\" in path or "\0" in path:
        return "a path with a backslash or a NUL"
    if ".." in parts:
        return "a path that climbs out with `..`"
    if any(p in ("", ".") for p in parts):
        return "a path with an empty or `.` part"
    return None


class Unpacked:
    """What an archive holds, read strictly: the manifest, the sha256 of every
    other file by path, the folders. The same rules as `agentc check --bundle`."""

    def __init__(self):
        self.manifest = None
        self.files = {}
        self.dirs = set()
        self.total = 0

    def add(self, raw, is_dir, size, chunks):
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BundleError(f"entry `{raw.decode('utf-8', 'replace')}`: its path is not UTF-8") from None
        path = name[:-1] if is_dir and name.endswith("/") else name
        why = bad_path(path)
        if why:
            raise BundleError(f"entry `{name}`: {why}")
        if path in self.dirs or path in self.files or (path == MANIFEST and self.manifest is not None):
            raise BundleError(f"entry `{path}` is in the archive twice")
        if is_dir:
            self.dirs.add(path)
            return
        if path == MANIFEST and size > MAX_MANIFEST:
            raise BundleError(too_large_manifest())
        self.total += size
        if self.total > MAX_UNPACKED:
            raise BundleError(too_large_archive())
        seen = 0
        keep = [] if path == MANIFEST else None
        digest = hashlib.sha256()
        for chunk in chunks(size):
            seen += len(chunk)
            if keep is not None:
                keep.append(chunk)
            else:
                digest.update(chunk)
        if seen != size:
            raise BundleError(f"entry `{path}` holds {seen} bytes, not the {size} its header says")
        if keep is not None:
            self.manifest = b"".join(keep)
        else:
            self.files[path] = digest.hexdigest()


def too_large_manifest():
    return f"the manifest is larger than {MAX_MANIFEST // MIB} MiB: not a bundle agentc reads"


def too_large_archive():
    return f"the archive unpacks to more than {MAX_UNPACKED // MIB} MiB: not a bundle agentc reads"


class Gunzip:
    """The bytes of a gzip file (one member or more), unpacked as they are read,
    at most MAX_UNPACKED of them; nothing may follow the last member."""

    def __init__(self, f):
        self.f = f
        self.d = zlib.decompressobj(31)
        self.buf = b""
        self.count = 0
        self.done = False

    def _more(self):
        while not self.buf and not self.done:
            data = self.d.unconsumed_tail or self.f.read(64 * 1024)
            if not data:
                if not self.d.eof:
                    raise BundleError("not a readable tar.gz archive: the gzip data is cut short")
                self.done = True
                return
            try:
                out = self.d.decompress(data, 256 * 1024)
            except zlib.error as e:
                raise BundleError(f"not a readable tar.gz archive: {e}") from None
            if self.d.eof:
                rest = self.d.unused_data
                self.d = zlib.decompressobj(31)
                if rest:
                    try:
                        out += self.d.decompress(rest, 256 * 1024)
                    except zlib.error as e:
                        raise BundleError(f"not a readable tar.gz archive: {e}") from None
                else:
                    # The member ended; what follows, if anything, is another.
                    nxt = self.f.read(64 * 1024)
                    if not nxt:
                        self.done = True
                    else:
                        try:
                            out += self.d.decompress(nxt, 256 * 1024)
                        except zlib.error as e:
                            raise BundleError(f"not a readable tar.gz archive: {e}") from None
            self.count += len(out)
            if self.count > MAX_UNPACKED:
                raise BundleError(too_large_archive())
            self.buf = out

    def read(self, n):
        """Exactly n bytes, or fewer at the end."""
        parts = []
        while n > 0:
            self._more()
            if not self.buf:
                break
            part, self.buf = self.buf[:n], self.buf[n:]
            parts.append(part)
            n -= len(part)
        return b"".join(parts)

    def drain(self):
        while True:
            self._more()
            if not self.buf:
                return
            self.buf = b""


def octal(field):
    text = field.split(b"\0", 1)[0].strip(b" \0").decode("ascii", "replace")
    if text == "":
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise BundleError(f"not a readable tar.gz archive: `{text}` is not an octal number") from None


def unpack_tar(f, out):
    gz = Gunzip(f)
    long_name = None
    while True:
        header = gz.read(512)
        if len(header) < 512:
            if header or long_name is not None:
                raise BundleError("not a readable tar.gz archive: a header is cut short")
            break
        if header == b"\0" * 512:
            break
        stored = octal(header[148:156])
        if stored != sum(header[:148]) + 8 * 32 + sum(header[156:]):
            raise BundleError("not a readable tar.gz archive: a header's checksum is wrong")
        size = MAX_UNPACKED + 1 if header[124] & 0x80 else octal(header[124:136])
        kind = header[156:157]
        if kind == b"L":
            if long_name is not None:
                raise BundleError("not a readable tar.gz archive: two long names for one entry")
            if size > MAX_UNPACKED:
                raise BundleError(too_large_archive())
            data = gz.read(size)
            gz.read(-size % 512)
            if len(data) != size:
                raise BundleError("not a readable tar.gz archive: a long name is cut short")
            long_name = data[:-1] if data.endswith(b"\0") else data
            continue
        name = header[:100].split(b"\0", 1)[0]
        prefix = header[345:500].split(b"\0", 1)[0]
        if long_name is not None:
            name, long_name = long_name, None
        elif header[257:263] == b"ustar\0" and header[263:265] == b"00" and prefix:
            name = prefix + b"/" + name
        shown = name.decode("utf-8", "replace")
        if kind in (b"0", b"\0"):
            is_dir = False
        elif kind == b"5":
            is_dir = True
        else:
            what = {
                b"1": "a hard link", b"2": "a symbolic link", b"3": "a device", b"4": "a device",
                b"6": "a FIFO", b"x": "a pax header", b"g": "a pax header",
            }.get(kind, f"an entry of type `{kind.decode('ascii', 'replace')}`")
            raise BundleError(f"entry `{shown}` is {what}: {ONLY}")
        if is_dir and size:
            raise BundleError(f"entry `{shown}` is a folder with data")

        out.add(name, is_dir, size, lambda n: read_chunks(gz.read, n))
        gz.read(-size % 512)
    gz.drain()


def read_chunks(read, n):
    """Up to `n` bytes from `read`, 64 KiB at a time; fewer when it runs out."""
    while n > 0:
        part = read(min(n, 64 * 1024))
        if not part:
            return
        n -= len(part)
        yield part


def unpack_zip(f, out):
    try:
        with zipfile.ZipFile(f) as z:
            for info in z.infolist():
                if info.flag_bits & 0x800:
                    raw = info.orig_filename.encode("utf-8")
                else:
                    raw = info.orig_filename.encode("cp437")
                shown = raw.decode("utf-8", "replace")
                kind = (info.external_attr >> 16) & 0o170000 if info.create_system == 3 else 0
                is_dir = raw.endswith(b"/")
                if kind == 0o120000:
                    raise BundleError(f"entry `{shown}` is a symbolic link: {ONLY}")
                if kind not in (0, 0o040000 if is_dir else 0o100000):
                    raise BundleError(f"entry `{shown}` is not a plain file or folder: {ONLY}")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise BundleError(f"not a readable zip archive: entry `{shown}` uses an unsupported compression")
                if is_dir and info.file_size:
                    raise BundleError(f"entry `{shown}` is a folder with data")

                def chunks(n, info=info):
                    # One byte more than declared, to see a member that is longer.
                    with z.open(info) as member:
                        yield from read_chunks(member.read, n + 1)

                out.add(raw, is_dir, info.file_size, chunks)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError) as e:
        raise BundleError(f"not a readable zip archive: {e}") from None


def check_tree(found, bundle):
    """The archive's files and folders are exactly the manifest's tree, each
    file the manifest's bytes."""
    tree = files(bundle)
    dirs = set()
    for path, text in tree.items():
        sha = found.files.get(path)
        if sha is None:
            raise BundleError(f"the archive lacks `{path}`, a file of the manifest")
        if sha != hashlib.sha256(text.encode("utf-8")).hexdigest():
            raise BundleError(f"the archive's `{path}` differs from the manifest's")
        parts = path.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    for path in sorted(found.files):
        if path not in tree:
            raise BundleError(f"the archive holds `{path}`, a file the manifest does not list")
    for path in sorted(found.dirs):
        if path not in dirs:
            raise BundleError(f"the archive holds the folder `{path}/`, which holds no file of the manifest")


def files(bundle):
    """The native tree the bundle describes: path -> text, every file once."""
    out = {}
    for agent in bundle["agents"].values():
        for prompt in agent["targets"].values():
            text = prompt["content"] if "content" in prompt else bundle["shared"][prompt["path"]]["content"]
            out[prompt["path"]] = text
    return out


def validate(bundle):
    """The manifest rules `agentc check --bundle` keeps beyond its shape."""
    sha = lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()  # noqa: E731
    bad = lambda why: BundleError(f"malformed bundle: {why}")  # noqa: E731
    extra = sorted(set(bundle) - TOP_KEYS)
    if extra:
        raise bad(f"unknown field `{extra[0]}`")
    agents, shared = bundle.get("agents"), bundle.get("shared")
    if not isinstance(agents, dict) or not isinstance(shared, dict):
        raise bad("`agents` and `shared` must be objects")
    own, pointed = set(), set()
    for name, agent in agents.items():
        targets = agent.get("targets") if isinstance(agent, dict) else None
        if not isinstance(targets, dict):
            raise bad(f"`{name}` has no `targets` object")
        for target, prompt in targets.items():
            pair = f"`{name}` × `{target}`"
            path = prompt.get("path") if isinstance(prompt, dict) else None
            if not isinstance(path, str) or not isinstance(prompt.get("sha256"), str):
                raise bad(f"{pair} has no `path` or `sha256`")
            why = bad_path(path)
            if why:
                raise bad(f"{pair} has {why}: `{path}`")
            if "content" in prompt:
                if not isinstance(prompt["content"], str):
                    raise bad(f"{pair}: `content` must be a string")
                if path in own or path in shared:
                    raise bad(f"{pair} writes `{path}`, which another entry writes too")
                own.add(path)
                if sha(prompt["content"]) != prompt["sha256"]:
                    raise bad(f"{pair}: `content` does not match its `sha256`")
            else:
                if path not in shared:
                    raise bad(f"{pair} has no `content` and `shared` has no `{path}`")
                if not isinstance(shared[path], dict) or shared[path].get("sha256") != prompt["sha256"]:
                    raise bad(f"{pair}: `sha256` is not that of `shared` `{path}`")
                pointed.add(path)
    def project_file(file):
        # A target's project file (a plugin's manifest) is pointed at by no entry:
        # it names its target and the agents it serves, each of which has that target
        # with a file of its own (a copy of a file entries share is no project file).
        served = file.get("agents") if isinstance(file, dict) else None
        return (isinstance(served, list) and served and all(
            isinstance(a, str) and isinstance(agents.get(a), dict)
            and isinstance(agents[a].get("targets"), dict)
            and isinstance(agents[a]["targets"].get(file.get("target")), dict)
            and "content" in agents[a]["targets"][file.get("target")] for a in served))

    for path, file in shared.items():
        if path not in pointed and not project_file(file):
            raise bad(f"`shared` has `{path}`, which no entry points at")
        extra = sorted(set(file) - SHARED_KEYS)
        if extra:
            raise bad(f"`shared` `{path}`: unknown field `{extra[0]}`")
        if not isinstance(file.get("content"), str) or sha(file["content"]) != file.get("sha256"):
            raise bad(f"`shared` `{path}`: `content` does not match its `sha256`")


def load(path):
    """The bundle in the file at `path`, read strictly: a `.json` manifest, or a
    `.tar.gz` or `.zip` whose entries are exactly the manifest and its tree."""
    with open(path, "rb") as f:
        head = f.read(2)
        f.seek(0)
        out = Unpacked()
        if head == b"\x1f\x8b":
            unpack_tar(f, out)
        elif head == b"PK":
            unpack_zip(f, out)
        else:
            data = f.read(MAX_MANIFEST + 1)
            if len(data) > MAX_MANIFEST:
                raise BundleError(f"{path}: {too_large_manifest()}")
            out.manifest = data
    if out.manifest is None:
        raise BundleError(f"the archive holds no `{MANIFEST}`: not an agentc bundle")
    try:
        text = out.manifest.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError("not an agentc bundle: the manifest is not UTF-8 text") from None
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as e:
        raise BundleError(f"not an agentc bundle: {e}") from e
    if not isinstance(bundle, dict) or bundle.get("bundle_version") != BUNDLE_VERSION:
        found = bundle.get("bundle_version") if isinstance(bundle, dict) else None
        hint = f" (it is version {found}: write it again with `agentc bundle`)" if isinstance(found, int) else ""
        raise BundleError(f"not an agentc bundle of version {BUNDLE_VERSION}{hint}")
    validate(bundle)
    if head in (b"\x1f\x8b", b"PK"):
        check_tree(out, bundle)
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
        try:
            bundle = load(args[0])
        except BundleError as e:
            raise BundleError(f"{args[0]}: {e}") from None
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
