"""A TF1 Builder SavedModel whose variables are partitioned (slice entries in variables.index).

y = x @ W + b with W [6, 2] in 3 row partitions (b unpartitioned), p = y @ E with E [2, 5] in 2
column partitions feeds a second output. Out: model/, model/variables/variables.tf-truth.json
and model.signatures.json.
"""
import sys

import numpy as np
import tensorflow as tf

import common
import tf1_util

out = sys.argv[1]
common.seed()
tf.compat.v1.disable_eager_execution()
path = f"{out}/model"
g = tf.Graph()
with g.as_default(), tf.compat.v1.Session(graph=g) as sess:
    tf.compat.v1.set_random_seed(9)
    normal = tf.compat.v1.random_normal_initializer(seed=3)
    x = tf.compat.v1.placeholder(tf.float32, [None, 6], name="x")
    w = tf.compat.v1.get_variable("dense/kernel", shape=(6, 2), initializer=normal, partitioner=tf.compat.v1.fixed_size_partitioner(3))
    b = tf.compat.v1.get_variable("dense/bias", shape=(2,), initializer=normal)
    e = tf.compat.v1.get_variable("proj", shape=(2, 5), initializer=normal, partitioner=tf.compat.v1.fixed_size_partitioner(2, axis=1))
    y = tf.identity(tf.matmul(x, tf.convert_to_tensor(w)) + b, name="y")
    p = tf.identity(tf.matmul(y, tf.convert_to_tensor(e)), name="p")
    sess.run(tf.compat.v1.global_variables_initializer())
    sig = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"y": y, "p": p})
    builder = tf.compat.v1.saved_model.Builder(path)
    builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": sig})
    builder.save()
common.write_checkpoint_truth(f"{path}/variables/variables")
feed = {"x": np.arange(12, dtype=np.float32).reshape(2, 6) / 4 - 1}
tf1_util.write_signatures_v1(path, [["serve"]], {"serving_default": feed}, f"{out}/model.signatures.json")
