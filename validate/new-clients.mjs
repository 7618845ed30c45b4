// The loaders of validate/new-clients.sh: one tool's own code run on agentc's files, printing
// {tool, files, loaded, misread, rejected: [..], notes: [..]} as JSON.
// usage: node new-clients.mjs cline|kilo|claude-plugin|factory PATH
//   (run by new-clients.sh, which installs the tools into $CLIENTS and sets $WORK, a scratch dir)
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [tool, target] = process.argv.slice(2);
const CLIENTS = fs.realpathSync(process.env.CLIENTS);
const WORK = process.env.WORK;
const require = createRequire(path.join(CLIENTS, 'package.json'));
const YAML = require('yaml');
const nm = (p) => path.join(CLIENTS, 'node_modules', p);
const plat = `${process.platform}-${process.arch}`;
const out = { tool, files: 0, loaded: 0, misread: 0, rejected: [], notes: [] };
const misread = (text) => { out.misread++; out.rejected.push(text); };
const done = () => { console.log(JSON.stringify(out)); process.exit(0); };
const short = (v) => JSON.stringify(typeof v === 'string' && v.length > 70 ? v.slice(0, 70) + '…' : v);

// The frontmatter as YAML reads it: what agentc meant to say, to compare with what the tool read.
function frontmatter(file) {
  const m = fs.readFileSync(file, 'utf8').match(/^---\r?\n([\s\S]*?)\r?\n---\r?\n?/);
  if (!m) return {};
  try { return YAML.parse(m[1]) ?? {}; } catch { return {}; }
}
// Copies one folder's files into a fresh project under $WORK, so the tool sees those files alone.
function project(name, sub, src, filter) {
  const proj = path.join(WORK, name);
  const dst = path.join(proj, sub);
  fs.mkdirSync(dst, { recursive: true });
  const files = fs.readdirSync(src).filter(filter).sort();
  for (const f of files) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  return { proj, dst, files };
}
// A HOME of its own, and every proxy pointed at a closed loopback port: nothing leaves the machine.
function isolatedEnv(home, extra = {}) {
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'), XDG_STATE_HOME: path.join(home, '.local/state'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', ...extra };
  delete env.NO_PROXY; delete env.no_proxy;
  return env;
}

if (tool === 'cline') {
  // Cline's own agent config loader (@cline/core, shipped with the `cline` CLI): it reads
  // `.cline/agents/*.yml|*.yaml` with its YAML frontmatter splitter and zod schema, and names every
  // file it could not load with the reason.
  const { proj, dst, files } = project('cline', '.cline/agents', target, (f) => /\.ya?ml$/.test(f));
  out.files = files.length;
  process.env.HOME = path.join(WORK, 'cline-home'); // its user folder ~/.cline/agents: empty
  fs.mkdirSync(process.env.HOME, { recursive: true });
  const core = await import(pathToFileURL(nm('@cline/core/dist/index.js')));
  const { configs, errors } = core.loadConfiguredAgentConfigs({ workspaceRoot: proj });
  for (const e of errors) out.rejected.push(`${path.basename(e.path)}: ${e.error?.message ?? e.error}`);
  const byPath = new Map(configs.map((c) => [path.basename(c.path), c]));
  for (const f of files) {
    const c = byPath.get(f);
    if (!c) {
      if (!errors.some((e) => path.basename(e.path) === f)) out.rejected.push(`${f}: not loaded (a name another file has, but for case)`);
      continue;
    }
    out.loaded++;
    const fm = frontmatter(path.join(dst, f));
    if (c.name !== String(fm.name)) misread(`${f}: cline reads name ${short(c.name)}, the YAML says ${short(fm.name)}`);
    if (c.description !== String(fm.description).trim()) misread(`${f}: cline reads description ${short(c.description)}, the YAML says ${short(fm.description)}`);
    const tools = fm.tools ?? undefined;
    if (JSON.stringify(c.tools) !== JSON.stringify(tools)) misread(`${f}: cline reads tools ${short(c.tools)}, the YAML says ${short(tools)}`);
    const unknown = (c.tools ?? []).filter((t) => !core.ALL_DEFAULT_TOOL_NAMES.includes(t));
    if (unknown.length) misread(`${f}: tools ${short(unknown)} are not Cline's (${core.ALL_DEFAULT_TOOL_NAMES.join(', ')})`);
    if (c.modelId !== fm.modelId || c.providerId !== fm.providerId) misread(`${f}: cline reads model ${short(c.providerId)}/${short(c.modelId)}`);
    if (c.maxIterations !== fm.maxIterations) misread(`${f}: cline reads maxIterations ${short(c.maxIterations)}, the YAML says ${short(fm.maxIterations)}`);
  }
} else if (tool === 'kilo') {
  // Kilo CLI (an OpenCode fork) resolves every agent file of `.kilo/agents` at start-up and
  // `kilo debug config` prints the agents it resolved; one invalid file fails the whole config.
  const { proj, dst, files } = project('kilo', '.kilo/agents', target, (f) => f.endsWith('.md'));
  out.files = files.length;
  const env = isolatedEnv(path.join(WORK, 'kilo-home'), { KILO_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1', KILO_DISABLE_MODELS_FETCH: '1' });
  const r = spawnSync(nm('@kilocode/cli/bin/kilo'), ['debug', 'config'], { cwd: proj, env, encoding: 'utf8', timeout: 300000, maxBuffer: 1 << 28 });
  let agents;
  try { agents = JSON.parse(r.stdout).agent ?? {}; } catch { out.rejected.push('kilo printed no config: ' + (r.stdout + r.stderr).slice(0, 300)); done(); }
  for (const f of files) {
    const name = f.replace(/\.md$/, '');
    const a = agents[name];
    if (!a) { out.rejected.push(`${f}: not resolved`); continue; }
    out.loaded++;
    const fm = frontmatter(path.join(dst, f));
    if (a.description !== fm.description) misread(`${f}: kilo reads description ${short(a.description)}, the YAML says ${short(fm.description)}`);
    if (a.mode !== fm.mode) misread(`${f}: kilo reads mode ${short(a.mode)}, the YAML says ${short(fm.mode)}`);
    if (fm.model && a.model !== fm.model) misread(`${f}: kilo reads model ${short(a.model)}, the YAML says ${short(fm.model)}`);
    const extra = Object.keys(a.options ?? {});
    if (extra.length) out.notes.push(`${f}: keys ${extra.join(', ')} go to the model provider as options`);
  }
} else if (tool === 'claude-plugin') {
  // Claude Code itself: `claude plugin validate` on the marketplace and on each plugin it lists
  // (manifests, and the agents each plugin provides), then a session started with every plugin
  // folder as `--plugin-dir`, whose `initialize` answer lists the agents it loaded.
  let bin = nm(`@anthropic-ai/claude-code-${plat}/claude`);
  if (!fs.existsSync(bin)) bin = nm('@anthropic-ai/claude-code/bin/claude.exe');
  const home = path.join(WORK, 'cc-home');
  const env = isolatedEnv(home, { ANTHROPIC_API_KEY: 'sk-ant-offline-check', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1' });
  const validate = (dir) => {
    const r = spawnSync(bin, ['plugin', 'validate', '--json', dir], { env, encoding: 'utf8', timeout: 120000, maxBuffer: 1 << 26 });
    try { return JSON.parse(r.stdout); } catch { return { success: false, error: (r.stdout + r.stderr).slice(0, 300) }; }
  };
  const market = validate(target);
  const problems = (report) => [...(report.manifest?.errors ?? []), ...(report.contents ?? []).flatMap((c) => c.errors ?? [])];
  if (!market.success) out.rejected.push(`marketplace.json: ${JSON.stringify(market.error ?? problems(market)).slice(0, 300)}`);
  for (const w of market.manifest?.warnings ?? []) out.notes.push(`marketplace.json: ${JSON.stringify(w).slice(0, 200)}`);
  const listed = JSON.parse(fs.readFileSync(path.join(target, '.claude-plugin/marketplace.json'), 'utf8')).plugins ?? [];
  const expected = new Map(); // `<plugin>:<agent>` → file
  const dirs = [];
  for (const p of listed) {
    const dir = path.resolve(target, p.source);
    dirs.push(dir);
    const files = fs.readdirSync(path.join(dir, 'agents')).filter((f) => f.endsWith('.md')).sort();
    out.files += files.length;
    for (const f of files) expected.set(`${p.name}:${frontmatter(path.join(dir, 'agents', f)).name}`, `${p.name}/agents/${f}`);
    const report = validate(dir);
    if (!report.success) out.rejected.push(`${p.name}: ${JSON.stringify(report.error ?? problems(report)).slice(0, 300)}`);
    for (const w of report.manifest?.warnings ?? []) out.notes.push(`${p.name}: ${JSON.stringify(w).slice(0, 200)}`);
    const provided = new Set((report.provides?.agents ?? []).map((a) => a.replace(/^[^:]*:/, '')));
    for (const f of files) {
      const name = frontmatter(path.join(dir, 'agents', f)).name;
      if (!provided.has(name)) out.rejected.push(`${p.name}/agents/${f}: not among the agents the validator says the plugin provides`);
    }
  }
  const args = ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose',
    '--debug-file', path.join(WORK, 'cc-debug.log'), ...dirs.flatMap((d) => ['--plugin-dir', d])];
  const proj = path.join(WORK, 'cc-project');
  fs.mkdirSync(proj, { recursive: true });
  const agents = await new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: proj, env, stdio: ['pipe', 'pipe', 'ignore'] });
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, 120000);
    let buf = '';
    child.on('error', () => resolve(null));
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) {
        let m;
        try { m = JSON.parse(buf.slice(0, i)); } catch { continue; }
        if (m.type === 'control_response' && m.response?.request_id === 'agentc') {
          clearTimeout(timer);
          child.stdin.end();
          setTimeout(() => child.kill('SIGKILL'), 2000).unref();
          resolve(m.response.response?.agents ?? null);
        }
      }
    });
    child.stdin.write(JSON.stringify({ type: 'control_request', request_id: 'agentc', request: { subtype: 'initialize' } }) + '\n');
  });
  if (!agents) { out.rejected.push('claude gave no agent list'); done(); }
  const byName = new Map(agents.map((a) => [a.name, a]));
  const debug = path.join(WORK, 'cc-debug.log');
  const log = fs.existsSync(debug) ? fs.readFileSync(debug, 'utf8').split('\n') : [];
  for (const [name, file] of expected) {
    const a = byName.get(name);
    const full = path.join(target, 'plugins', file);
    const why = log.filter((l) => l.includes(full) && /\[(ERROR|WARN)\]|does not recognize|invalid|not loaded/i.test(l))
      .map((l) => l.replace(/^\S+ /, '').replace(full, file));
    if (!a) { out.rejected.push(`${file}: not loaded as ${name}${why.length ? ': ' + why.join('; ') : ''}`); continue; }
    out.loaded++;
    for (const l of why) {
      if (/does not recognize|has invalid/.test(l)) misread(`${file}: ${l}`); // a key ignored or dropped
      else out.notes.push(`${file}: ${l}`);
    }
    const fm = frontmatter(path.join(target, 'plugins', file));
    if (a.description !== String(fm.description)) misread(`${file}: claude reads description ${short(a.description)}, the YAML says ${short(fm.description)}`);
  }
} else if (tool === 'factory') {
  // Droid reads droid files only in a session that reaches Factory's servers; offline, its own
  // `droid exec --list-tools` gives the tool ids a droid may name. The rest is its validator's
  // rules (name, non-empty prompt, tools a list or a category).
  const { proj, dst, files } = project('factory', '.factory/droids', target, (f) => f.endsWith('.md'));
  out.files = files.length;
  const env = isolatedEnv(path.join(WORK, 'droid-home'), { FACTORY_API_KEY: 'fk-offline-check' });
  const r = spawnSync(nm(`@factory/cli-${plat}/bin/droid`), ['exec', '--auto', 'high', '--list-tools'], { cwd: proj, env, encoding: 'utf8', timeout: 120000 });
  const ids = new Set([...r.stdout.matchAll(/^\s*•\s+(\S+)/gm)].map((m) => m[1]));
  if (!ids.size) { out.rejected.push('droid listed no tools: ' + (r.stdout + r.stderr).slice(0, 300)); done(); }
  const categories = ['read-only', 'edit', 'execute', 'web', 'mcp'];
  for (const f of files) {
    const text = fs.readFileSync(path.join(dst, f), 'utf8');
    const fm = frontmatter(path.join(dst, f));
    const body = text.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n?/, '');
    const why = [];
    if (!/^[a-z0-9-_]+$/.test(fm.name ?? '')) why.push(`name ${short(fm.name)} is not ^[a-z0-9-_]+$`);
    if (!body.trim()) why.push('empty prompt');
    if (typeof fm.tools === 'string' && !categories.includes(fm.tools)) why.push(`tools ${short(fm.tools)} is no category`);
    if (Array.isArray(fm.tools)) {
      const unknown = fm.tools.filter((t) => !ids.has(t === 'MultiEdit' ? 'Edit' : t) && t !== 'Create' && t !== 'Edit');
      if (unknown.length) why.push(`tools ${short(unknown)} are not among droid's: ${[...ids].join(', ')}`);
      if (!fm.tools.length) why.push('an empty tools list');
    }
    if (why.length) out.rejected.push(`${f}: ${why.join('; ')}`);
    else out.loaded++;
    if ((fm.description ?? '').length > 500) out.notes.push(`${f}: description over 500 characters (droid warns)`);
  }
} else {
  console.error(`unknown tool ${tool}`);
  process.exit(2);
}
done();
