"""Keras 3 models on the TensorFlow backend, compiled and trained a few steps with Adam.

For each model M (conv_bn, lstm, gru, bidirectional, embedding, mha, nested, custom_names,
mixed_float16) the case writes into OUT/M/:
  model.keras, model.weights.h5, model.h5 (legacy model.save), config.json (model.to_json()),
  x.npy / y.npy (a fixed input batch and the model's predictions on it), target.npy,
  ckpt/ckpt-1.* (tf.train.Checkpoint(model=m, optimizer=m.optimizer)), plain/ckpt-1.*
  (tf.train.Checkpoint(model=m)), each with <prefix>.tf-truth.json, and truth.json:
  weights ([path, dtype, shape, sha256] for model.weights), optimizer ([path, dtype, shape,
  sha256] for optimizer.variables), iterations, and next_losses: the losses of two more
  train_on_batch steps on (x, target) taken after everything was saved (a restored model that
  keeps its optimizer state must reproduce them).
"""
import json
import os
import sys

import keras
import numpy as np
import tensorflow as tf

import common

out = sys.argv[1]
L = keras.layers


def functional(shape, *layers, name=None):
    i = keras.Input(shape)
    x = i
    for layer in layers:
        x = layer(x)
    return keras.Model(i, x, name=name)


def conv_bn():
    return functional((6, 6, 2), L.Conv2D(3, 3), L.BatchNormalization(), L.Flatten(), L.Dense(2))


def lstm():
    return functional((5, 3), L.LSTM(4), L.Dense(2))


def gru():
    return functional((5, 3), L.GRU(4, return_sequences=True), L.GRU(3), L.Dense(2))


def bidirectional():
    return functional((5, 3), L.Bidirectional(L.LSTM(3, return_sequences=True)), L.Bidirectional(L.GRU(2)), L.Dense(2))


def embedding():
    return keras.Sequential([keras.Input((5,), dtype="int32"), L.Embedding(11, 4), L.GlobalAveragePooling1D(), L.Dense(2)])


def mha():
    i = keras.Input((5, 4))
    x = L.MultiHeadAttention(2, 3)(i, i)
    x = L.LayerNormalization()(x)
    return keras.Model(i, L.Dense(2)(L.Flatten()(x)))


def nested():
    inner_seq = keras.Sequential([keras.Input((4,)), L.Dense(5), L.BatchNormalization()], name="inner_seq")
    inner_fn = functional((5,), L.Dense(3), L.Dense(3), name="inner_fn")
    i = keras.Input((4,))
    return keras.Model(i, L.Dense(2, name="head")(inner_fn(inner_seq(i))))


def custom_names():
    i = keras.Input((4,))
    x = L.Dense(5, name="encoder_in")(i)
    x = L.BatchNormalization(name="bn_main")(x)
    x = L.Dense(3, use_bias=False, name="encoder_out")(x)
    return keras.Model(i, L.Dense(2, name="logits")(x), name="my_model")


def mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        m = functional((4,), L.Dense(5), L.BatchNormalization(), L.Dense(2, dtype="float32"))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return m


def inputs(m, rng):
    shape = (3,) + tuple(m.inputs[0].shape[1:])
    if m.inputs[0].dtype == "int32":
        return rng.integers(0, 11, shape).astype("int32")
    return rng.standard_normal(shape).astype("float32")


def weight_rows(ws):
    return [[w.path, w.dtype, [int(d) for d in w.shape], common.canonical_sha256(w.numpy())] for w in ws]


for make in (conv_bn, lstm, gru, bidirectional, embedding, mha, nested, custom_names, mixed_float16):
    name = make.__name__
    d = os.path.join(out, name)
    os.makedirs(d)
    common.seed()
    rng = np.random.default_rng(3)
    m = make()
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x = inputs(m, rng)
    target = rng.standard_normal((3, 2)).astype("float32")
    m.fit(x, target, epochs=3, batch_size=3, verbose=0)
    np.save(os.path.join(d, "x.npy"), x)
    np.save(os.path.join(d, "target.npy"), target)
    np.save(os.path.join(d, "y.npy"), np.asarray(m.predict(x, verbose=0)))
    m.save(os.path.join(d, "model.keras"))
    m.save_weights(os.path.join(d, "model.weights.h5"))
    m.save(os.path.join(d, "model.h5"))
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write(m.to_json())
    p = tf.train.Checkpoint(model=m, optimizer=m.optimizer).write(os.path.join(d, "ckpt", "ckpt-1"))
    common.write_checkpoint_truth(p)
    p = tf.train.Checkpoint(model=m).write(os.path.join(d, "plain", "ckpt-1"))
    common.write_checkpoint_truth(p)
    truth = {
        "weights": weight_rows(m.weights),
        "optimizer": weight_rows(m.optimizer.variables),
        "iterations": int(m.optimizer.iterations.numpy()),
        "next_losses": [float(m.train_on_batch(x, target)) for _ in range(2)],
    }
    common.write_json(os.path.join(d, "truth.json"), truth)
