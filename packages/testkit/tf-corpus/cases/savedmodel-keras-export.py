"""A Keras 3 model's `model.export()` SavedModel (TF backend): Dense(4, relu) then Dense(2).

Out: model/ (the SavedModel), model/variables/variables.tf-truth.json and model.signatures.json.
"""
import sys

import keras
import numpy as np

import common
import tf1_util

out = sys.argv[1]
common.seed()
model = keras.Sequential([keras.Input((3,), name="x"), keras.layers.Dense(4, activation="relu", name="hidden"),
                          keras.layers.Dense(2, name="head")])
path = f"{out}/model"
model.export(path, format="tf_saved_model", verbose=False)
common.write_checkpoint_truth(f"{path}/variables/variables")
x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
import tensorflow as tf
sig = tf.saved_model.load(path).signatures["serving_default"]
name = list(sig.structured_input_signature[1])[0]
tf1_util.write_signatures_v2(path, {"serving_default": {name: x}}, f"{out}/model.signatures.json")
