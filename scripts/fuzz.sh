#!/usr/bin/env bash
# The long fuzz run: every format's campaign with TFW_FUZZ_COUNT mutants (default 100,000),
# one package after another, then a table of counts per format. The normal test run uses the
# same campaigns with 5,000 mutants each (1,000 for .keras archives). TFW_FUZZ_PACKAGES picks
# the packages (default: all of them, in the order below), e.g. TFW_FUZZ_PACKAGES="npy tfjs".
set -euo pipefail
cd "$(dirname "$0")/.."
export TFW_FUZZ_COUNT="${TFW_FUZZ_COUNT:-100000}"
report="$(mktemp -t tfw-fuzz-XXXXXX.jsonl)"
export TFW_FUZZ_REPORT="$report"
status=0
for pkg in ${TFW_FUZZ_PACKAGES:-checkpoint savedmodel npy safetensors tfjs keras}; do
  echo "» fuzz: packages/$pkg ($TFW_FUZZ_COUNT mutants per campaign)"
  (cd "packages/$pkg" && npx vitest run test/fuzz.test.ts --reporter=dot) || status=1
done
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
console.log("\nformat                     mutants    valid    typed  slowest ms  peak RSS MiB  seconds");
for (const r of lines) console.log(`${r.format.padEnd(24)} ${String(r.mutants).padStart(9)} ${String(r.valid).padStart(8)} ${String(r.typed).padStart(8)} ${String(r.slowestMs).padStart(11)} ${String(r.peakRssMiB).padStart(13)} ${String(r.seconds).padStart(8)}`);
' "$report"
rm -f "$report"
exit $status
