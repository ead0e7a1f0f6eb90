"""A TF1 tf.compat.v1.saved_model.Builder SavedModel with two tag sets ("serve"; "train", "gpu").

Out: model/, model/variables/variables.tf-truth.json and model.signatures.json (per tag set).
"""
import sys

import numpy as np
import tensorflow as tf

import common
import tf1_util

out = sys.argv[1]
common.seed()
tf.compat.v1.disable_eager_execution()
rng = np.random.default_rng(31)
path = f"{out}/model"
g = tf.Graph()
with g.as_default(), tf.compat.v1.Session(graph=g) as sess:
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    w = tf.compat.v1.get_variable("dense/kernel", initializer=rng.standard_normal((3, 2)).astype(np.float32))
    b = tf.compat.v1.get_variable("dense/bias", initializer=rng.standard_normal((2,)).astype(np.float32))
    y = tf.identity(tf.matmul(x, w) + b, name="y")
    z = tf.identity(y * 2.0, name="z")
    sess.run(tf.compat.v1.global_variables_initializer())
    sig = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"y": y})
    sig2 = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"z": z})
    builder = tf.compat.v1.saved_model.Builder(path)
    builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": sig})
    builder.add_meta_graph(["train", "gpu"], signature_def_map={"double": sig2})
    builder.save()
common.write_checkpoint_truth(f"{path}/variables/variables")
feed = {"x": np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)}
tf1_util.write_signatures_v1(path, [["serve"], ["train", "gpu"]], {"serving_default": feed, "double": feed}, f"{out}/model.signatures.json")
