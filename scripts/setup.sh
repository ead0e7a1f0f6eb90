#!/usr/bin/env bash
# Quick start, first command: install everything, build, and run the converter on the
# bundled example model.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_pnpm
pnpm install --frozen-lockfile
ensure_python_deps
ensure_tf_venv
ensure_chromium
pnpm build
bash scripts/demo.sh
