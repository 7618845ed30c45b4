#!/usr/bin/env bash
# The migration walk-through as a script: legacy agent files -> canonical specs ->
# every tool's native files. Run from this folder: `bash migrate.sh` (needs `agentc`
# on PATH, or AGENTC=/path/to/agentc).
set -euo pipefail
agentc=${AGENTC:-agentc}
rm -rf agents out
"$agentc" import legacy -o agents          # one line per file, warnings with file:line:col
"$agentc" lint agents                      # what to improve in the new specs
"$agentc" build agents --layout native -o out
"$agentc" check agents --layout native -o out   # exit 0: out/ matches the specs
find out -type f | sort
