"""TF1 Saver(sharded=True) where the parts of partitioned variables sit on different CPU devices.

A device function puts `<var>/part_<i>` on /cpu:<(i + k) % 3> (k differs per variable) and plain
variables on /cpu:0 or /cpu:2, so slices of one variable land in different data shards and each
shard interleaves slices and plain tensors (MergeV2Checkpoints merges the full entries' slice
lists). Out (no `checkpoint` state file): model.ckpt.{index,data-0000i-of-00003,meta} and
model.ckpt.tf-truth.json.
"""
import re
import sys

import tensorflow as tf

import common
import tf1_util

out = sys.argv[1]
common.seed()
tf.compat.v1.disable_eager_execution()
g = tf.Graph()
SHIFT = {"a": 0, "b": 1, "m": 2}


def place(op):
    m = re.match(r"^(\w+)/part_(\d+)/", op.name + "/")
    if m:
        return f"/cpu:{(int(m.group(2)) + SHIFT.get(m.group(1), 0)) % 3}"
    return "/cpu:2" if op.name.startswith("z") else "/cpu:0"


with g.as_default(), g.device(place):
    tf.compat.v1.set_random_seed(4)
    normal = tf.compat.v1.random_normal_initializer(seed=6)
    tf.compat.v1.get_variable("a", shape=(6, 2), initializer=normal, partitioner=tf.compat.v1.fixed_size_partitioner(3))
    tf.compat.v1.get_variable("b", shape=(4,), initializer=normal, partitioner=tf.compat.v1.fixed_size_partitioner(2))
    tf.compat.v1.get_variable("m", shape=(2, 6), initializer=normal, partitioner=tf.compat.v1.fixed_size_partitioner(3, axis=1))
    tf.compat.v1.get_variable("c", shape=(3,), initializer=normal)
    tf.compat.v1.get_variable("z", shape=(2, 2), initializer=normal)
tf1_util.save_sharded(g, out, 3)
