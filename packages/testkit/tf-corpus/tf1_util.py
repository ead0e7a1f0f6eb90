"""Helpers of the TF1 and SavedModel corpus cases (helper tf-tf1): sharded TF1 saves, and what TF itself sees of a SavedModel's signatures.

Not covered by generate.py's cache hash: edit a case too (e.g. its docstring) after changing this file.
"""
import numpy as np
import tensorflow as tf

import common


def _spec(t):
    return {"dtype": t.dtype.name, "shape": None if t.shape.rank is None else [-1 if d is None else int(d) for d in t.shape]}


def write_signatures_v2(path, feeds, out):
    """Signature names, inputs/outputs (from tf.saved_model.load) and outputs for `feeds` {sig: {input: value}}."""
    loaded = tf.saved_model.load(path)
    sigs = {}
    for name, fn in loaded.signatures.items():
        _, kwargs = fn.structured_input_signature
        entry = {"inputs": {k: _spec(v) for k, v in kwargs.items()}, "outputs": {k: _spec(v) for k, v in fn.structured_outputs.items()}}
        if name in feeds:
            feed = feeds[name]
            entry["feed"] = {k: np.asarray(v).tolist() for k, v in feed.items()}
            entry["result"] = {k: v.numpy().tolist() for k, v in fn(**{k: tf.constant(v) for k, v in feed.items()}).items()}
        sigs[name] = entry
    common.write_json(out, sigs)


def write_signatures_v1(path, tag_sets, feeds, out):
    """The same for a TF1 SavedModel: per tag set (joined by ','), each signature's tensors and outputs."""
    result = {}
    for tags in tag_sets:
        g = tf.Graph()
        with tf.compat.v1.Session(graph=g) as sess:
            meta = tf.compat.v1.saved_model.loader.load(sess, tags, path)
            sigs = {}
            for name, sig in meta.signature_def.items():
                entry = {"method": sig.method_name,
                         "inputs": {k: v.name for k, v in sig.inputs.items()},
                         "outputs": {k: v.name for k, v in sig.outputs.items()}}
                feed = feeds.get(name)
                if feed is not None:
                    fetch = {k: v.name for k, v in sig.outputs.items()}
                    got = sess.run(fetch, {sig.inputs[k].name: v for k, v in feed.items()})
                    entry["feed"] = {k: np.asarray(v).tolist() for k, v in feed.items()}
                    entry["result"] = {k: np.asarray(v).tolist() for k, v in got.items()}
                sigs[name] = entry
            result[",".join(tags)] = sigs
    common.write_json(out, result)


def save_sharded(graph, out, cpus):
    """Saver(sharded=True) over `graph` in a session with `cpus` CPU devices: one data file per
    device holding variables; writes model.ckpt.* (no `checkpoint` state file) and its truth."""
    with graph.as_default():
        saver = tf.compat.v1.train.Saver(sharded=True)
        config = tf.compat.v1.ConfigProto(device_count={"CPU": cpus}, allow_soft_placement=False)
        with tf.compat.v1.Session(graph=graph, config=config) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            prefix = saver.save(sess, f"{out}/model.ckpt", write_state=False)
    common.write_checkpoint_truth(prefix)
