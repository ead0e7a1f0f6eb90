#!/usr/bin/env bash
# Quick start, second command (and what CI runs): install what the tests need, type-check and
# build every package, generate the API reference, run every package's tests, and end with one line
# "N passed, N failed, N skipped" counted over all packages.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_pnpm || exit 2
pnpm install --frozen-lockfile || exit 2
ensure_python_deps
ensure_keras_venv
ensure_tf_venv
ensure_tf_corpus
ensure_chromium
rm -rf packages/*/test-results apps/*/test-results

status=0
pnpm exec turbo run lint build --output-logs=errors-only || status=1
# The API reference is generated from the types; a broken doc link fails the run.
pnpm exec typedoc --treatWarningsAsErrors --logLevel Warn || status=1
pnpm exec turbo run test --continue --concurrency=2 || status=1
node scripts/count-tests.mjs || status=1
exit $status
