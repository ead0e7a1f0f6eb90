"""TF1 graph-mode Saver(sharded=True) over variables on four CPU devices: four data shards.

Saver groups variables by device and writes one shard per device (saver.py _GroupByDevices,
then MergeV2Checkpoints). Out (no `checkpoint` state file): model.ckpt.{index,data-0000i-of-00004,meta} and
model.ckpt.tf-truth.json.
"""
import sys

import numpy as np
import tensorflow as tf

import common
import tf1_util

out = sys.argv[1]
common.seed()
tf.compat.v1.disable_eager_execution()
rng = np.random.default_rng(12)
g = tf.Graph()
with g.as_default():
    for d in range(4):
        with tf.device(f"/cpu:{d}"):
            for j in range(d + 1):
                tf.compat.v1.get_variable(f"layer{d}/w{j}", initializer=rng.standard_normal((d + 2, j + 1)).astype(np.float32))
    with tf.device("/cpu:2"):
        tf.compat.v1.get_variable("layer2/name", initializer=np.array([b"a", b"", "ü".encode()]), dtype=tf.string)
        tf.compat.v1.get_variable("layer2/count", initializer=np.int64(7))
tf1_util.save_sharded(g, out, 4)
