"""Helpers shared by the corpus cases: deterministic TF, and what TF itself reads.

`write_checkpoint_truth(prefix, path)` writes, for a checkpoint prefix, what
`tf.train.load_checkpoint` reads: every key with its dtype, shape and the SHA-256 of its
canonical bytes (MANIFEST.md's definition: values as stored, little-endian, C order; strings as
an 8-byte little-endian length then the bytes of each element). Our readers must agree with it.
"""
import hashlib
import json
import os
import struct

import numpy as np
import tensorflow as tf


def seed(n=1234):
    tf.keras.utils.set_random_seed(n)
    np.random.seed(n)


def canonical_sha256(value):
    h = hashlib.sha256()
    # A scalar string comes back from TF as `bytes`; np.asarray would make it a fixed-width `S`
    # array, which drops trailing NUL bytes, so keep the bytes themselves in an object array.
    arr = np.array([value], dtype=object).reshape(()) if isinstance(value, bytes) else np.asarray(value)
    if arr.dtype.kind == "S":
        arr = np.asarray(value, dtype=object)
    if arr.dtype.kind in ("O", "S", "U"):
        for item in arr.reshape(-1):
            b = item if isinstance(item, bytes) else str(item).encode()
            h.update(struct.pack("<Q", len(b)))
            h.update(b)
    else:
        h.update(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes())
    return h.hexdigest()


def dtype_name(tf_dtype):
    return tf.as_dtype(tf_dtype).name


def checkpoint_truth(prefix):
    """What TF reads from a checkpoint: {key: {dtype, shape, sha256}} for every tensor it can read."""
    reader = tf.train.load_checkpoint(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    shapes = reader.get_variable_to_shape_map()
    out = {}
    for key in sorted(shapes):
        entry = {"dtype": dtype_name(dtypes[key]), "shape": [int(d) for d in shapes[key]]}
        if dtypes[key] == tf.variant:
            entry["refused"] = "DT_VARIANT"
        else:
            entry["sha256"] = canonical_sha256(reader.get_tensor(key))
        out[key] = entry
    return out


def write_json(path, obj):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)


def write_checkpoint_truth(prefix, path=None):
    write_json(path or prefix + ".tf-truth.json", checkpoint_truth(prefix))
