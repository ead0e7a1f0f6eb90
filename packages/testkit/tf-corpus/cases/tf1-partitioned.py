"""TF1 graph-mode Saver checkpoint with partitioned variables (real slice entries in the bundle).

`tf.compat.v1.get_variable(..., partitioner=fixed_size_partitioner(3))` makes `part_0..2`
variables that the Saver stores as three slices of one full tensor (BundleWriter::AddSlice).
Out (no `checkpoint` state file): model.ckpt.{index,data-*,meta}, model.ckpt.tf-truth.json (what tf.train.load_checkpoint
reads) and parts.json (each full variable: its slices' shapes and offsets as the graph has them).
"""
import json
import sys

import tensorflow as tf

import common

out = sys.argv[1]
common.seed()
tf.compat.v1.disable_eager_execution()
g = tf.Graph()
with g.as_default():
    tf.compat.v1.set_random_seed(5)
    part3 = tf.compat.v1.fixed_size_partitioner(3)
    normal = tf.compat.v1.random_normal_initializer(seed=1)
    emb = tf.compat.v1.get_variable("emb", shape=(7, 4), initializer=normal, partitioner=part3)
    cols = tf.compat.v1.get_variable("dense/kernel", shape=(3, 5), initializer=normal,
                                     partitioner=tf.compat.v1.fixed_size_partitioner(2, axis=1))
    ids = tf.compat.v1.get_variable("ids", shape=(6,), dtype=tf.int64, partitioner=part3,
                                    initializer=tf.compat.v1.random_uniform_initializer(-100, 100, seed=2))
    bias = tf.compat.v1.get_variable("dense/bias", shape=(5,), initializer=normal)
    step = tf.compat.v1.train.get_or_create_global_step()
    saver = tf.compat.v1.train.Saver()
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        prefix = saver.save(sess, f"{out}/model.ckpt", write_state=False)
        parts = {}
        for v in (emb, cols, ids):
            parts[v.name] = [
                {"name": p.name, "offset": list(p._save_slice_info.var_offset), "shape": p.shape.as_list()} for p in v]
common.write_checkpoint_truth(prefix)
common.write_json(f"{out}/parts.json", parts)
