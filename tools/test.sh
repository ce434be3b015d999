#!/usr/bin/env bash
# Builds trainsim if needed (tools/setup.sh), then runs the whole test suite with CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/setup.sh"
cd "${TRAINSIM_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "${TRAINSIM_JOBS:-2}" "$@"
