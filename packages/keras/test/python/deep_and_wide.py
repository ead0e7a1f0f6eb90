# Keras 3 shaped .weights.h5 files that are deep or wide, for the walk's scale tests and bench:
#   nested N  — N nested sub-layers (layers/block_0/layers/block_1/…), each with vars/0 = [i, i]
#   deep N    — N plain nested groups under layers/ (no variables)
#   vars N    — one layer with N variables vars/0 … vars/N-1, vars/i = [i, i]
#   layers N  — N layers layers/dense, layers/dense_1 …, each with vars/0 = [i, i]
# Usage: deep_and_wide.py KIND N OUT
import sys
import h5py
import numpy as np

kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with h5py.File(out, 'w') as f:
    f.create_group('vars')
    top = f.create_group('layers')
    if kind == 'nested':
        g = top
        for i in range(n):
            g = g.create_group(f'block_{i}')
            g.create_group('vars').create_dataset('0', data=np.full((2,), i, np.float32))
            g = g.create_group('layers')
    elif kind == 'deep':
        g = top
        for i in range(n):
            g = g.create_group(f'g{i}')
    elif kind == 'vars':
        v = top.create_group('dense').create_group('vars')
        for i in range(n):
            v.create_dataset(str(i), data=np.full((2,), i, np.float32))
    elif kind == 'layers':
        for i in range(n):
            top.create_group(f'dense_{i}' if i else 'dense').create_group('vars').create_dataset('0', data=np.full((2,), i, np.float32))
    else:
        raise SystemExit(f'unknown kind {kind}')
