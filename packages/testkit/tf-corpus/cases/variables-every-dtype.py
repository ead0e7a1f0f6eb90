"""tf.train.Checkpoint of one tf.Variable per dtype a variable can hold, plus edge shapes.

Out: ckpt-1.{index,data-*} and ckpt-1.tf-truth.json (what tf.train.load_checkpoint reads).
"""
import sys

import numpy as np
import tensorflow as tf

import common

out = sys.argv[1]
common.seed()
rng = np.random.default_rng(7)

values = {
    "f16": tf.constant(rng.standard_normal((3, 4)), tf.float16),
    "bf16": tf.constant(rng.standard_normal((5,)), tf.bfloat16),
    "f32": tf.constant(rng.standard_normal((2, 3)), tf.float32),
    "f64": tf.constant(rng.standard_normal((4,)), tf.float64),
    "i8": tf.constant([-128, -1, 0, 127], tf.int8),
    "i16": tf.constant([-32768, 0, 32767], tf.int16),
    "i32": tf.constant([-(2**31), 0, 2**31 - 1], tf.int32),
    "i64": tf.constant([-(2**63), 0, 2**63 - 1], tf.int64),
    "u8": tf.constant([0, 1, 255], tf.uint8),
    "u16": tf.constant([0, 65535], tf.uint16),
    "u32": tf.constant([0, 2**32 - 1], tf.uint32),
    "u64": tf.constant([0, 2**64 - 1], tf.uint64),
    "flag": tf.constant([True, False, True], tf.bool),
    "c64": tf.constant([1 + 2j, -3.5 - 0.25j], tf.complex64),
    "c128": tf.constant([[1e-300 + 1j], [2 - 1e300j]], tf.complex128),
    "strings": tf.constant([b"", "grüße ✓".encode(), bytes(range(256)), b"x" * 300]),
    "scalar": tf.constant(3.25, tf.float32),
    "empty": tf.zeros((0, 3), tf.float32),
    "rank6": tf.constant(rng.standard_normal((1, 2, 1, 3, 1, 2)), tf.float32),
}
ckpt = tf.train.Checkpoint(**{k: tf.Variable(v, name=k) for k, v in values.items()})
prefix = ckpt.write(f"{out}/ckpt-1")
common.write_checkpoint_truth(prefix)
