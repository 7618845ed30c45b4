#!/usr/bin/env node
// Load a prompt from an agentc bundle and print the request to send.
//
//     node load.mjs [--api API] [--user TEXT] BUNDLE AGENT TARGET
//     node load.mjs --content BUNDLE AGENT TARGET
//
// BUNDLE is agentc-bundle.json or a .tar.gz that `agentc bundle` wrote (the
// manifest inside it is read). The printed JSON is the body of one provider
// API request with the agent's prompt in place (--api picks the API, else the
// first by name) and, with --user, the user's message put where the request
// says; an app adds what the request `needs` (the model, `max_tokens`) and
// sends it. With --content, the file exactly as `agentc build` writes it is
// printed instead, for any target (a file that several agents share, such as
// roo's `.roomodes`, is stored once in the bundle's `shared`). No dependencies:
// Node's own fs and zlib. Plain JavaScript with JSDoc types, so `tsc --checkJs`
// checks it and any Node >= 18 runs it.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

const BUNDLE_VERSION = 3;
const MANIFEST = "agentc-bundle.json";

/**
 * @typedef {{ at: string, action: "append" | "set" | "replace", value?: unknown, placeholder: string }} UserMessage
 * @typedef {{ body: Record<string, unknown>, user: UserMessage, needs: string[] }} Request
 * @typedef {{ path: string, content?: string, sha256: string, requests?: Record<string, Request> }} TargetEntry
 * @typedef {{ name: string, targets: Record<string, TargetEntry> }} AgentEntry
 * @typedef {{ target: string, agents: string[], content: string, sha256: string }} SharedFile
 * @typedef {{ bundle_version: number, agents: Record<string, AgentEntry>, shared: Record<string, SharedFile> }} Bundle
 */

/**
 * The bytes of one file in a tar archive (ustar, GNU long names included).
 * @param {Buffer} tar
 * @param {string} wanted
 * @returns {Buffer | undefined}
 */
function tarFile(tar, wanted) {
  let longName = "";
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) return undefined;
    const field = (/** @type {number} */ from, /** @type {number} */ len) =>
      header.subarray(from, from + len).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    const name = longName || (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = "";
    if (name === wanted && (type === "0" || type === "")) return body;
  }
  return undefined;
}

/**
 * @param {string} path
 * @returns {Bundle}
 */
export function load(path) {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const file = tarFile(gunzipSync(bytes), MANIFEST);
    if (!file) throw new Error(`${path}: the archive holds no ${MANIFEST}`);
    bytes = file;
  } else if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    throw new Error(`${path}: zip bundles need an unzip library; use the .json or .tar.gz form`);
  }
  /** @type {Bundle} */
  let bundle;
  try {
    bundle = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    throw new Error(`${path}: not an agentc bundle: ${/** @type {Error} */ (e).message}`);
  }
  if (bundle === null || typeof bundle !== "object" || bundle.bundle_version !== BUNDLE_VERSION) {
    const found = bundle !== null && typeof bundle === "object" ? bundle.bundle_version : undefined;
    const hint = typeof found === "number" ? ` (it is version ${found}: write it again with \`agentc bundle\`)` : "";
    throw new Error(`${path}: not an agentc bundle of version ${BUNDLE_VERSION}${hint}`);
  }
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
