"""TF 2.21 sharded checkpoints: tf.train.CheckpointOptions(experimental_sharding_callback=...).

Out: by-task/ckpt-1 (ShardByTaskPolicy) and max-size/ckpt-1 (MaxShardSizePolicy of 300 bytes:
several data shards, tensors larger than a shard split into slices), each with .tf-truth.json.
"""
import sys

import numpy as np
import tensorflow as tf

import common

out = sys.argv[1]
common.seed()
rng = np.random.default_rng(3)

variables = {f"v{i}": tf.Variable(tf.constant(rng.standard_normal((5 + 10 * i, 4)), tf.float32), name=f"v{i}") for i in range(4)}
variables["names"] = tf.Variable(tf.constant([b"a", b"bc", b"def"]), name="names")
variables["n"] = tf.Variable(3, dtype=tf.int32, name="n")
for sub, policy in (("by-task", tf.train.experimental.ShardByTaskPolicy()), ("max-size", tf.train.experimental.MaxShardSizePolicy(300))):
    ckpt = tf.train.Checkpoint(**variables)
    prefix = ckpt.write(f"{out}/{sub}/ckpt-1", options=tf.train.CheckpointOptions(experimental_sharding_callback=policy))
    common.write_checkpoint_truth(prefix)
