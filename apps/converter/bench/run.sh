#!/bin/sh
# Every benchmark runs even when one misses its target; the exit status says whether all met theirs.
status=0
for b in startup convert remote many-tensors; do
  tsx --conditions=source "bench/$b.bench.ts" || status=1
done
exit $status
