#!/usr/bin/env bash
# Builds trainsim if needed (tools/setup.sh), then runs it with the given arguments:
#   tools/trainsim.sh run scenarios/gpt3-175b-1024gpu.yaml
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/setup.sh"
exec "${TRAINSIM_BUILD_DIR:-$root/build}/trainsim" "$@"
