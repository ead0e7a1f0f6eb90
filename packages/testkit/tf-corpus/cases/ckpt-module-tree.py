"""tf.train.Checkpoint of nested tf.Modules holding lists and dicts of variables.

Out: tree/ckpt-1.{index,data-*} and tree/ckpt-1.tf-truth.json (what tf.train.load_checkpoint reads).
"""
import sys

import numpy as np
import tensorflow as tf

import common

out = sys.argv[1]
common.seed()
rng = np.random.default_rng(11)


def var(shape, name, dtype=tf.float32):
    return tf.Variable(tf.constant(rng.standard_normal(shape), dtype), name=name)


class Dense(tf.Module):
    def __init__(self, n_in, n_out, name):
        super().__init__(name=name)
        self.kernel = var((n_in, n_out), "kernel")
        self.bias = var((n_out,), "bias")


class Block(tf.Module):
    def __init__(self, name):
        super().__init__(name=name)
        self.layers = [Dense(3, 4, "d0"), Dense(4, 2, "d1")]
        self.norms = {"scale": var((2,), "scale"), "offset": var((2,), "offset"), "odd.name/x": var((1,), "odd")}


class Model(tf.Module):
    def __init__(self):
        super().__init__(name="model")
        self.encoder = Block("encoder")
        self.decoder = Block("decoder")
        self.heads = [[var((2,), "h00"), var((2,), "h01")], {"logits": Dense(2, 5, "logits")}]
        self.step = tf.Variable(7, dtype=tf.int64, name="step")


ckpt = tf.train.Checkpoint(model=Model(), extra=var((3,), "extra", tf.float64))
prefix = ckpt.write(f"{out}/tree/ckpt-1")
common.write_checkpoint_truth(prefix)
