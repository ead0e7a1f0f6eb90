"""A tf.Module SavedModel with several signatures (tf.saved_model.save with a signatures dict).

Out: model/ (the SavedModel), model/variables/variables.tf-truth.json (what
tf.train.load_checkpoint reads of its variables) and model.signatures.json (signature names,
inputs/outputs and the output for a fixed input; see tf1_util.py).
"""
import sys

import numpy as np
import tensorflow as tf

import common
import tf1_util

out = sys.argv[1]
common.seed()
rng = np.random.default_rng(21)


class Dense(tf.Module):
    def __init__(self, n_in, n_out, name):
        super().__init__(name=name)
        self.kernel = tf.Variable(rng.standard_normal((n_in, n_out)).astype(np.float32), name="kernel")
        self.bias = tf.Variable(rng.standard_normal((n_out,)).astype(np.float32), name="bias")

    def __call__(self, x):
        return tf.matmul(x, self.kernel) + self.bias


class Model(tf.Module):
    def __init__(self):
        super().__init__(name="model")
        self.hidden = Dense(3, 4, "hidden")
        self.head = Dense(4, 2, "head")
        self.scale = tf.Variable(1.5, name="scale")

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
    def predict(self, x):
        return {"y": self.head(tf.nn.relu(self.hidden(x)))}

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x"), tf.TensorSpec([], tf.float32, name="k")])
    def scaled(self, x, k):
        h = tf.nn.relu(self.hidden(x))
        return {"y": self.head(h) * self.scale * k, "hidden": h}


m = Model()
path = f"{out}/model"
tf.saved_model.save(m, path, signatures={"serving_default": m.predict, "scaled": m.scaled})
common.write_checkpoint_truth(f"{path}/variables/variables")
x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
tf1_util.write_signatures_v2(path, {"serving_default": {"x": x}, "scaled": {"x": x, "k": np.float32(2.0)}}, f"{out}/model.signatures.json")
