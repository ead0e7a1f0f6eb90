"""Checkpoints holding tf.lookup tables (saved as `.ATTRIBUTES/table-keys` and `table-values`).

Out: tables/ckpt-1 with .tf-truth.json: a MutableHashTable string -> int64 and a DenseHashTable
int64 -> float32 (vector values).
"""
import sys

import tensorflow as tf

import common

out = sys.argv[1]
common.seed()

words = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, default_value=-1, name="words")
words.insert(tf.constant(["alpha", "beta", "grüße"]), tf.constant([1, 2, 3], tf.int64))
dense = tf.lookup.experimental.DenseHashTable(tf.int64, tf.float32, default_value=[0.0, 0.0], empty_key=-1, deleted_key=-2,
                                              initial_num_buckets=8, name="dense")
dense.insert(tf.constant([10, 20], tf.int64), tf.constant([[1.5, 2.5], [3.5, 4.5]]))
ckpt = tf.train.Checkpoint(words=words, dense=dense, w=tf.Variable([0.25], name="w"))
prefix = ckpt.write(f"{out}/tables/ckpt-1")
common.write_checkpoint_truth(prefix)
