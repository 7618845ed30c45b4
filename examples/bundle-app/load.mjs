#!/usr/bin/env node
// Load a prompt from an agentc bundle and print the request to send.
//
//     node load.mjs [--api API] [--user TEXT] BUNDLE AGENT TARGET
//     node load.mjs --content BUNDLE AGENT TARGET
//
// BUNDLE is agentc-bundle.json or a .tar.gz that `agentc bundle` wrote (the
// manifest inside it is read, as strictly as `agentc check --bundle` reads it:
// the manifest once and exactly the files it lists, plain files and folders
// only, within the same size limits, every file matching its sha256). The
// printed JSON is the body of one provider
// API request with the agent's prompt in place (--api picks the API, else the
// first by name) and, with --user, the user's message put where the request
// says; an app adds what the request `needs` (the model, `max_tokens`) and
// sends it. With --content, the file exactly as `agentc build` writes it is
// printed instead, for any target (a file that several agents share, such as
// roo's `.roomodes`, is stored once in the bundle's `shared`). No dependencies:
// Node's own fs and zlib. Plain JavaScript with JSDoc types, so `tsc --checkJs`
// checks it and any Node >= 18 runs it.

import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

const BUNDLE_VERSION = 3;
const MANIFEST = "agentc-bundle.json";
const MIB = 1024 * 1024;
// The limits `agentc check --bundle` keeps: the manifest, and all an archive unpacks to.
const MAX_MANIFEST = 512 * MIB;
const MAX_UNPACKED = 1024 * MIB;
const ONLY = "a bundle holds only files and folders";
const TOP_KEYS = new Set(["bundle_version", "agentc_version", "source_digest", "targets", "agents", "shared"]);
const SHARED_KEYS = new Set(["target", "agents", "content", "sha256", "characters", "tokens"]);

/**
 * @typedef {{ at: string, action: "append" | "set" | "replace", value?: unknown, placeholder: string }} UserMessage
 * @typedef {{ body: Record<string, unknown>, user: UserMessage, needs: string[] }} Request
 * @typedef {{ path: string, content?: string, sha256: string, requests?: Record<string, Request> }} TargetEntry
 * @typedef {{ name: string, targets: Record<string, TargetEntry> }} AgentEntry
 * @typedef {{ target: string, agents: string[], content: string, sha256: string }} SharedFile
 * @typedef {{ bundle_version: number, agents: Record<string, AgentEntry>, shared: Record<string, SharedFile> }} Bundle
 * @typedef {{ manifest: Buffer | undefined, files: Map<string, string>, dirs: Set<string>, total: number }} Unpacked
 */

/** @param {string | Buffer} data */
const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const tooLargeManifest = () => `the manifest is larger than ${MAX_MANIFEST / MIB} MiB: not a bundle agentc reads`;
const tooLargeArchive = () => `the archive unpacks to more than ${MAX_UNPACKED / MIB} MiB: not a bundle agentc reads`;

/**
 * Why an entry's path is not a plain relative path, or undefined.
 * @param {string} path
 */
export function badPath(path) {
  const parts = path.split("/");
  if (path === "") return "an empty path";
  if (path.startsWith("/")) return "an absolute path";
  if (path.includes("\\") || path.includes("\0")) return "a path with a backslash or a NUL";
  if (parts.includes("..")) return "a path that climbs out with `..`";
  if (parts.some((p) => p === "" || p === ".")) return "a path with an empty or `.` part";
  return undefined;
}

/**
 * One entry of an archive into `out`, by the rules `agentc check --bundle` keeps.
 * @param {Unpacked} out
 * @param {Buffer} raw
 * @param {boolean} isDir
 * @param {number} size
 * @param {Buffer} data
 */
function addEntry(out, raw, isDir, size, data) {
  let name;
  try {
    name = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new Error(`entry \`${raw.toString("utf8")}\`: its path is not UTF-8`);
  }
  const path = isDir && name.endsWith("/") ? name.slice(0, -1) : name;
  const why = badPath(path);
  if (why) throw new Error(`entry \`${name}\`: ${why}`);
  if (out.dirs.has(path) || out.files.has(path) || (path === MANIFEST && out.manifest !== undefined)) {
    throw new Error(`entry \`${path}\` is in the archive twice`);
  }
  if (isDir) {
    out.dirs.add(path);
    return;
  }
  if (path === MANIFEST && size > MAX_MANIFEST) throw new Error(tooLargeManifest());
  out.total += size;
  if (out.total > MAX_UNPACKED) throw new Error(tooLargeArchive());
  if (data.length !== size) throw new Error(`entry \`${path}\` holds ${data.length} bytes, not the ${size} its header says`);
  if (path === MANIFEST) out.manifest = data;
  else out.files.set(path, sha256(data));
}

/**
 * An octal header field.
 * @param {Buffer} field
 */
function octal(field) {
  const text = field.toString("latin1").split("\0")[0].replace(/^[ \0]+|[ \0]+$/g, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`not a readable tar.gz archive: \`${text}\` is not an octal number`);
  return parseInt(text, 8);
}

/**
 * Every entry of a tar archive (ustar, GNU long names), strictly.
 * @param {Buffer} tar
 * @param {Unpacked} out
 */
function unpackTar(tar, out) {
  /** @type {Buffer | undefined} */
  let longName;
  for (let at = 0; ; ) {
    if (at + 512 > tar.length) {
      if (at < tar.length || longName) throw new Error("not a readable tar.gz archive: a header is cut short");
      return;
    }
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) return;
    let sum = 8 * 32;
    for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += header[i];
    if (octal(header.subarray(148, 156)) !== sum) throw new Error("not a readable tar.gz archive: a header's checksum is wrong");
    const size = header[124] & 0x80 ? MAX_UNPACKED + 1 : octal(header.subarray(124, 136));
    const kind = String.fromCharCode(header[156]);
    const cut = (/** @type {Buffer} */ b) => {
      const nul = b.indexOf(0);
      return nul < 0 ? b : b.subarray(0, nul);
    };
    const body = tar.subarray(at + 512, at + 512 + Math.min(size, tar.length));
    at += 512 + Math.ceil(size / 512) * 512;
    if (kind === "L") {
      if (longName) throw new Error("not a readable tar.gz archive: two long names for one entry");
      if (size > MAX_UNPACKED) throw new Error(tooLargeArchive());
      if (body.length !== size) throw new Error("not a readable tar.gz archive: a long name is cut short");
      longName = body.length && body[body.length - 1] === 0 ? body.subarray(0, -1) : body;
      continue;
    }
    let name = cut(header.subarray(0, 100));
    const prefix = cut(header.subarray(345, 500));
    const ustar = header.subarray(257, 263).toString("latin1") === "ustar\0" && header.subarray(263, 265).toString("latin1") === "00";
    if (longName) {
      name = longName;
      longName = undefined;
    } else if (ustar && prefix.length) {
      name = Buffer.concat([prefix, Buffer.from("/"), name]);
    }
    const shown = name.toString("utf8");
    let isDir;
    if (kind === "0" || kind === "\0") isDir = false;
    else if (kind === "5") isDir = true;
    else {
      /** @type {Record<string, string>} */
      const kinds = { 1: "a hard link", 2: "a symbolic link", 3: "a device", 4: "a device", 6: "a FIFO", x: "a pax header", g: "a pax header" };
      throw new Error(`entry \`${shown}\` is ${kinds[kind] ?? `an entry of type \`${kind}\``}: ${ONLY}`);
    }
    if (isDir && size) throw new Error(`entry \`${shown}\` is a folder with data`);
    addEntry(out, name, isDir, size, body);
  }
}

/**
 * The archive's files and folders are exactly the manifest's tree, each file
 * the manifest's bytes.
 * @param {Unpacked} found
 * @param {Bundle} bundle
 */
function checkTree(found, bundle) {
  const tree = files(bundle);
  const dirs = new Set();
  for (const [path, text] of tree) {
    const sha = found.files.get(path);
    if (sha === undefined) throw new Error(`the archive lacks \`${path}\`, a file of the manifest`);
    if (sha !== sha256(text)) throw new Error(`the archive's \`${path}\` differs from the manifest's`);
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  for (const path of [...found.files.keys()].sort()) {
    if (!tree.has(path)) throw new Error(`the archive holds \`${path}\`, a file the manifest does not list`);
  }
  for (const path of [...found.dirs].sort()) {
    if (!dirs.has(path)) throw new Error(`the archive holds the folder \`${path}/\`, which holds no file of the manifest`);
  }
}

/**
 * The native tree the bundle describes: path -> text, every file once.
 * @param {Bundle} bundle
 * @returns {Map<string, string>}
 */
function files(bundle) {
  const out = new Map();
  for (const agent of Object.values(bundle.agents)) {
    for (const prompt of Object.values(agent.targets)) {
      out.set(prompt.path, prompt.content ?? bundle.shared[prompt.path].content);
    }
  }
  return out;
}

/**
 * The manifest rules `agentc check --bundle` keeps beyond its shape.
 * @param {Bundle} bundle
 */
function validate(bundle) {
  const bad = (/** @type {string} */ why) => new Error(`malformed bundle: ${why}`);
  const isObject = (/** @type {unknown} */ v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const extra = Object.keys(bundle).filter((k) => !TOP_KEYS.has(k)).sort();
  if (extra.length) throw bad(`unknown field \`${extra[0]}\``);
  const { agents, shared } = bundle;
  if (!isObject(agents) || !isObject(shared)) throw bad("`agents` and `shared` must be objects");
  const own = new Set();
  const pointed = new Set();
  for (const [name, agent] of Object.entries(agents)) {
    if (!isObject(agent) || !isObject(agent.targets)) throw bad(`\`${name}\` has no \`targets\` object`);
    for (const [target, prompt] of Object.entries(agent.targets)) {
      const pair = `\`${name}\` × \`${target}\``;
      if (!isObject(prompt) || typeof prompt.path !== "string" || typeof prompt.sha256 !== "string") {
        throw bad(`${pair} has no \`path\` or \`sha256\``);
      }
      const path = prompt.path;
      const why = badPath(path);
      if (why) throw bad(`${pair} has ${why}: \`${path}\``);
      if ("content" in prompt) {
        if (typeof prompt.content !== "string") throw bad(`${pair}: \`content\` must be a string`);
        if (own.has(path) || Object.hasOwn(shared, path)) throw bad(`${pair} writes \`${path}\`, which another entry writes too`);
        own.add(path);
        if (sha256(prompt.content) !== prompt.sha256) throw bad(`${pair}: \`content\` does not match its \`sha256\``);
      } else {
        if (!Object.hasOwn(shared, path)) throw bad(`${pair} has no \`content\` and \`shared\` has no \`${path}\``);
        if (!isObject(shared[path]) || shared[path].sha256 !== prompt.sha256) {
          throw bad(`${pair}: \`sha256\` is not that of \`shared\` \`${path}\``);
        }
        pointed.add(path);
      }
    }
  }
  // A target's project file (a plugin's manifest) is pointed at by no entry: it
  // names its target and the agents it serves, each of which has that target
  // with a file of its own (a copy of a file entries share is no project file).
  const projectFile = (file) =>
    isObject(file) && Array.isArray(file.agents) && file.agents.length > 0 &&
    file.agents.every((a) => typeof a === "string" && Object.hasOwn(agents, a) && isObject(agents[a]) &&
      isObject(agents[a].targets) && typeof file.target === "string" && Object.hasOwn(agents[a].targets, file.target) &&
      isObject(agents[a].targets[file.target]) && "content" in agents[a].targets[file.target]);
  for (const [path, file] of Object.entries(shared)) {
    if (!pointed.has(path) && !projectFile(file)) throw bad(`\`shared\` has \`${path}\`, which no entry points at`);
    const unknown = Object.keys(file).filter((k) => !SHARED_KEYS.has(k)).sort();
    if (unknown.length) throw bad(`\`shared\` \`${path}\`: unknown field \`${unknown[0]}\``);
    if (typeof file.content !== "string" || sha256(file.content) !== file.sha256) {
      throw bad(`\`shared\` \`${path}\`: \`content\` does not match its \`sha256\``);
    }
  }
}

/**
 * The bundle in the file at `path`, read as strictly as `agentc check --bundle`
 * reads it: a `.json` manifest, or a `.tar.gz` whose entries are exactly the
 * manifest and its tree.
 * @param {string} path
 * @returns {Bundle}
 */
export function load(path) {
  try {
    return loadStrict(path);
  } catch (e) {
    throw new Error(`${path}: ${/** @type {Error} */ (e).message}`);
  }
}

/** @param {string} path */
function loadStrict(path) {
  const head = Buffer.alloc(2);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const archive = head[0] === 0x1f && head[1] === 0x8b;
  if (!archive && statSync(path).size > MAX_MANIFEST) throw new Error(tooLargeManifest());
  let bytes = readFileSync(path);
  /** @type {Unpacked} */
  const out = { manifest: undefined, files: new Map(), dirs: new Set(), total: 0 };
  if (archive) {
    let tar;
    try {
      const { buffer, engine } = /** @type {{ buffer: Buffer, engine: { bytesWritten: number } }} */ (
        /** @type {unknown} */ (gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED, info: true }))
      );
      if (engine.bytesWritten !== bytes.length) throw new Error("bytes follow the gzip data");
      tar = buffer;
    } catch (e) {
      const err = /** @type {Error & { code?: string }} */ (e);
      if (err.code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) throw new Error(tooLargeArchive());
      throw new Error(`not a readable tar.gz archive: ${err.message}`);
    }
    unpackTar(tar, out);
    if (out.manifest === undefined) throw new Error(`the archive holds no \`${MANIFEST}\`: not an agentc bundle`);
    bytes = out.manifest;
  } else if (head[0] === 0x50 && head[1] === 0x4b) {
    throw new Error("zip bundles need an unzip library; use the .json or .tar.gz form");
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error("not an agentc bundle: the manifest is not UTF-8 text");
  }
  /** @type {Bundle} */
  let bundle;
  try {
    bundle = JSON.parse(text);
  } catch (e) {
    throw new Error(`not an agentc bundle: ${/** @type {Error} */ (e).message}`);
  }
  if (bundle === null || typeof bundle !== "object" || bundle.bundle_version !== BUNDLE_VERSION) {
    const found = bundle !== null && typeof bundle === "object" ? bundle.bundle_version : undefined;
    const hint = typeof found === "number" ? ` (it is version ${found}: write it again with \`agentc bundle\`)` : "";
    throw new Error(`not an agentc bundle of version ${BUNDLE_VERSION}${hint}`);
  }
  validate(bundle);
  if (archive) checkTree(out, bundle);
  return bundle;
}

/**
 * The bundle's entry for one agent and one target.
 * @param {Bundle} bundle
 * @param {string} agent
 * @param {string} target
 * @returns {TargetEntry}
 */
function entry(bundle, agent, target) {
  const found = bundle.agents[agent];
  if (!found) throw new Error(`no agent \`${agent}\`; the bundle has: ${Object.keys(bundle.agents).join(", ")}`);
  const prompt = found.targets[target];
  if (!prompt) throw new Error(`agent \`${agent}\` has no target \`${target}\`; it has: ${Object.keys(found.targets).join(", ")}`);
  return prompt;
}

/**
 * One request (`body`, `user`, `needs`) of one agent for one target: the one
 * for `api`, or the first by name.
 * @param {Bundle} bundle
 * @param {string} agent
 * @param {string} target
 * @param {string} [api]
 * @returns {Request}
 */
export function request(bundle, agent, target, api) {
  const found = entry(bundle, agent, target).requests;
  if (!found || Object.keys(found).length === 0) {
    throw new Error(`target \`${target}\` is a tool file, not an API prompt: use --content`);
  }
  const key = api ?? Object.keys(found).sort()[0];
  const req = found[key];
  if (!req) throw new Error(`\`${agent}\` × \`${target}\` has no request for \`${key}\`; it has: ${Object.keys(found).join(", ")}`);
  return req;
}

/**
 * @param {unknown} value
 * @param {string} mark
 * @param {string} text
 * @returns {unknown}
 */
function fill(value, mark, text) {
  if (typeof value === "string") return value.split(mark).join(text);
  if (Array.isArray(value)) return value.map((v) => fill(v, mark, text));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, mark, text)]));
  }
  return value;
}

/**
 * A copy of the request's body with the user's `text` where `user` says:
 * appended to an array, set at a key, or in place of the placeholder.
 * @param {Request} req
 * @param {string} text
 * @returns {Record<string, unknown>}
 */
export function withUser(req, text) {
  const body = JSON.parse(JSON.stringify(req.body));
  const { at, action, placeholder } = req.user;
  if (!at.startsWith("/")) throw new Error(`\`user.at\` is not a JSON Pointer: ${at}`);
  const keys = at.split("/").slice(1).map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
  const key = /** @type {string} */ (keys.pop());
  /** @type {any} */
  let parent = body;
  for (const k of keys) parent = parent !== null && typeof parent === "object" ? parent[k] : undefined;
  const found = parent !== null && typeof parent === "object" ? parent[key] : undefined;
  if (action === "append" && Array.isArray(found)) {
    found.push(fill(req.user.value, placeholder, text));
  } else if (action === "set" && parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
    parent[key] = fill(req.user.value, placeholder, text);
  } else if (action === "replace" && typeof found === "string" && found.split(placeholder).length === 2) {
    parent[key] = found.replace(placeholder, () => text);
  } else {
    throw new Error(`cannot ${action} the user's message at \`${at}\``);
  }
  return body;
}

/**
 * The file of one agent for one target, exactly as `agentc build` writes it:
 * the entry's own `content`, or the shared file at the entry's `path`.
 * @param {Bundle} bundle
 * @param {string} agent
 * @param {string} target
 * @returns {string}
 */
export function content(bundle, agent, target) {
  const prompt = entry(bundle, agent, target);
  if (prompt.content !== undefined) return prompt.content;
  const shared = (bundle.shared ?? {})[prompt.path];
  if (!shared) throw new Error(`\`${agent}\` × \`${target}\`: \`${prompt.path}\` is missing from \`shared\``);
  return shared.content;
}

const [, script, ...rest] = process.argv;
if (script && import.meta.url === pathToFileURL(script).href) {
  let asContent = false;
  /** @type {string | undefined} */
  let api;
  /** @type {string | undefined} */
  let user;
  while (["--content", "--api", "--user"].includes(rest[0] ?? "")) {
    const flag = rest.shift();
    if (flag === "--content") asContent = true;
    else if (flag === "--api") api = rest.shift();
    else user = rest.shift();
  }
  const [file, agent, target] = rest;
  if (!file || !agent || !target || rest.length !== 3) {
    console.error("usage: node load.mjs [--api API] [--user TEXT] BUNDLE AGENT TARGET\n       node load.mjs --content BUNDLE AGENT TARGET");
    process.exit(2);
  }
  try {
    const bundle = load(file);
    if (asContent) {
      process.stdout.write(content(bundle, agent, target));
    } else {
      const req = request(bundle, agent, target, api);
      const body = user === undefined ? req.body : withUser(req, user);
      process.stdout.write(JSON.stringify(body, null, 2) + "\n");
    }
  } catch (e) {
    console.error(`error: ${/** @type {Error} */ (e).message}`);
    process.exit(1);
  }
}
