#!/usr/bin/env bash
# Loads the native files agentc writes for the coding tools of 2026 with the tools' own code,
# offline, in the style of ../shared/validate: Cline (its agent config loader from @cline/core,
# run on every file), Kilo Code (`kilo debug config`, which resolves every agent file), Claude
# Code plugins (`claude plugin validate` on the marketplace and each plugin, then a session with
# `--plugin-dir` that lists the agents it loaded) and Factory Droid (each droid's tools against the
# tool ids `droid exec --list-tools` prints; Droid loads droid files only in a session that reaches
# Factory's servers, so the rest of a droid is checked against the rules of its validator).
# Antigravity, Devin, goose and Junie are on no package registry, and Auggie lists subagents only
# for an account whose server-side flag allows it: none of these can be loaded here.
#
# usage: validate/new-clients.sh ROOT
#   ROOT  a folder written by `agentc build --layout native -o ROOT -t cline -t kilo -t
#         claude-plugin -t factory ...`; a tool whose files are absent is skipped.
# prints: one line per tool ("cline 3.0.65: 202/202 files loaded"), then the first rejections;
#         "note:" lines are things a tool accepts but warns about.
# exit: 0 when every file of every present tool loads as written, 1 otherwise, 2 on a usage or
#       install error; with INSTALLED_ONLY=1, 3 when the tools are not installed yet (nothing is
#       fetched: what the test suite uses).
#
# The tools are installed from the npm registry into $AGENTC_CLIENTS/new (default
# ~/.cache/agentc-clients/new) on first use, pinned to the versions below (about 1.2 GB). Each
# run gets a scratch HOME, proxies pointed at a closed loopback port and dummy API keys, so no
# tool reads the user's config or reaches a network.
set -uo pipefail
shopt -s lastpipe   # report, last in each pipeline, sets status in this shell
root=$(cd "${1:?usage: new-clients.sh ROOT}" && pwd) || exit 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CLIENTS=${AGENTC_CLIENTS:-$HOME/.cache/agentc-clients}/new
CLINE=3.0.65 KILO=7.7.7 CLAUDE=2.1.332 FACTORY=0.225.1 FACTORY_BIN=0.225.2 YAML=2.8.0
stamp=.installed-$CLINE-$KILO-$CLAUDE-$FACTORY-$FACTORY_BIN-$YAML
if [[ ! -f $CLIENTS/$stamp && ${INSTALLED_ONLY:-} == 1 ]]; then
  echo "the tools are not installed in $CLIENTS: run validate/new-clients.sh once with network"
  exit 3
fi
mkdir -p "$CLIENTS" && cd "$CLIENTS" || exit 2
[[ -f package.json ]] || npm init -y >/dev/null 2>&1
if [[ ! -f $stamp ]]; then
  # Factory's launcher package names a platform binary one patch behind its own version.
  npm install --silent --no-audit --no-fund --save-exact "cline@$CLINE" "@kilocode/cli@$KILO" \
    "@anthropic-ai/claude-code@$CLAUDE" "@factory/cli@$FACTORY" "@factory/cli-linux-x64@$FACTORY_BIN" \
    "yaml@$YAML" >>install.log 2>&1 || { echo "npm install failed: see $CLIENTS/install.log"; exit 2; }
  touch "$stamp"
fi
export WORK; WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT

status=0
report() { # TOOL VERSION, with the loader's JSON result on stdin
  python3 -c '
import json, sys
tool, version = sys.argv[1:3]
try:
    r = json.load(sys.stdin)
except ValueError:
    print(tool, version + ": the check itself failed")
    sys.exit(1)
line = "%s %s: %d/%d %s loaded" % (tool, version, r["loaded"], r["files"], r.get("unit", "files"))
print(line + (", %d misread" % r["misread"] if r.get("misread") else ""))
for text in r["rejected"][:8]:
    print("  rejected:", text.replace("\n", " ")[:300])
if len(r["rejected"]) > 8:
    print("  ... and %d more" % (len(r["rejected"]) - 8))
for text in r["notes"][:5]:
    print("  note:", text.replace("\n", " ")[:300])
if len(r["notes"]) > 5:
    print("  ... and %d more notes" % (len(r["notes"]) - 5))
sys.exit(0 if r["files"] and r["loaded"] == r["files"] and not r["rejected"] else 1)
' "$@" || status=1
}
run() { # TOOL PATH
  timeout 600 node "$here/new-clients.mjs" "$@" 2>"$WORK/$1.err" || tail -c 600 "$WORK/$1.err" >&2
}

[[ -d $root/.cline/agents ]] && run cline "$root/.cline/agents" | report cline "$CLINE"
[[ -d $root/.kilo/agents ]] && run kilo "$root/.kilo/agents" | report kilo-cli "$KILO"
[[ -f $root/.claude-plugin/marketplace.json ]] && run claude-plugin "$root" | report claude-code-plugin "$CLAUDE"
[[ -d $root/.factory/droids ]] && run factory "$root/.factory/droids" | report "factory-droid(tool ids)" "$FACTORY_BIN"
exit $status
