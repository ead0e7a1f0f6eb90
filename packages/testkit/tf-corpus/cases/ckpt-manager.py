"""A tf.train.CheckpointManager folder: four saves, three kept, and its `checkpoint` state file.

Out: manager/{checkpoint, ckpt-2..4.*} with a .tf-truth.json per kept prefix.
"""
import sys

import tensorflow as tf

import common

out = sys.argv[1]
common.seed()

v = tf.Variable(tf.zeros((2, 3)), name="v")
counter = tf.Variable(0, dtype=tf.int64, name="counter")
ckpt = tf.train.Checkpoint(v=v, counter=counter)
manager = tf.train.CheckpointManager(ckpt, f"{out}/manager", max_to_keep=3)
for i in range(4):
    v.assign_add(tf.fill((2, 3), float(i) + 0.5))
    counter.assign_add(1)
    manager.save()
for prefix in manager.checkpoints:
    common.write_checkpoint_truth(prefix)
