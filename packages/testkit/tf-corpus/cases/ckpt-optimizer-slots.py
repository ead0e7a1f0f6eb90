"""Checkpoints after one training step with Adam and with SGD momentum (optimizer slot variables).

Out: adam/ckpt-1 and sgd/ckpt-1 (each with .tf-truth.json). The Keras optimizer (Keras 3 on TF)
is tracked by tf.train.Checkpoint with its iterations, learning rate and per-variable slots.
"""
import sys

import numpy as np
import tensorflow as tf

import common

out = sys.argv[1]
common.seed()
rng = np.random.default_rng(5)


class Net(tf.Module):
    def __init__(self):
        super().__init__(name="net")
        self.w = tf.Variable(tf.constant(rng.standard_normal((3, 2)), tf.float32), name="w")
        self.b = tf.Variable(tf.zeros((2,)), name="b")

    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


x = tf.constant(rng.standard_normal((4, 3)), tf.float32)
for name, opt in (("adam", tf.keras.optimizers.Adam(0.01)), ("sgd", tf.keras.optimizers.SGD(0.1, momentum=0.9))):
    net = Net()
    for _ in range(2):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(net(x) ** 2)
        grads = tape.gradient(loss, [net.w, net.b])
        opt.apply_gradients(zip(grads, [net.w, net.b]))
    ckpt = tf.train.Checkpoint(net=net, optimizer=opt)
    prefix = ckpt.write(f"{out}/{name}/ckpt-1")
    common.write_checkpoint_truth(prefix)
