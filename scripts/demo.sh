#!/usr/bin/env bash
# The main job on the bundled example (examples/data/iris-mlp: a TF2 checkpoint with Adam
# state, made by tfweights' own writers): list it, then convert it to a Keras .h5 and to a
# NumPy .npz, and list what was written. Outputs go to examples-out/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
tfweights() { printf '\n$ tfweights %s\n' "$*"; node apps/converter/dist/bin.js "$@"; }
mkdir -p examples-out
tfweights ls examples/data/iris-mlp
tfweights convert examples/data/iris-mlp examples-out/iris-mlp.h5 --drop-optimizer --force
tfweights convert examples/data/iris-mlp examples-out/iris-mlp.npz --force
tfweights ls examples-out/iris-mlp.h5
tfweights diff examples/data/iris-mlp examples-out/iris-mlp.npz
