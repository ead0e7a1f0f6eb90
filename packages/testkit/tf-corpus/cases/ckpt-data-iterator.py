"""A checkpoint holding a tf.data iterator part-way through (ITERATOR_STATE is a DT_VARIANT tensor).

Out: iter/ckpt-1 with .tf-truth.json (tf.train.load_checkpoint cannot hand a variant to Python,
so the truth lists it as refused) and iter/variants.json: for each variant key, the SHA-256 (in
the canonical string form) of its elements as TF itself serialises them (each a
VariantTensorDataProto), taken from `tf.io.serialize_tensor` of the tensor RestoreV2 gives back.
"""
import hashlib
import struct
import sys

import tensorflow as tf
from tensorflow.core.framework import tensor_pb2

import common

out = sys.argv[1]
common.seed()

ds = tf.data.Dataset.range(10).map(lambda x: x * 3).batch(2)
it = iter(ds)
next(it)
next(it)
ckpt = tf.train.Checkpoint(iterator=it, w=tf.Variable([1.0, 2.0], name="w"))
prefix = ckpt.write(f"{out}/iter/ckpt-1")
common.write_checkpoint_truth(prefix)


def variant_elements(key):
    """Elements of a stored variant tensor, as TF encodes them (tensor_content: varint lengths, then bytes)."""
    t = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[key], shape_and_slices=[""], dtypes=[tf.variant])[0]
    content = tensor_pb2.TensorProto.FromString(tf.io.serialize_tensor(t).numpy()).tensor_content
    pos, lengths = 0, []
    for _ in range(int(tf.size(t))):
        n = shift = 0
        while True:
            b = content[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        lengths.append(n)
    items = []
    for n in lengths:
        items.append(content[pos:pos + n])
        pos += n
    assert pos == len(content), "tensor_content has trailing bytes"
    return items


key = "iterator/.ATTRIBUTES/ITERATOR_STATE"
elements = variant_elements(key)
# Hashed here, not through numpy: a bytes array would drop trailing NUL bytes.
digest = hashlib.sha256(b"".join(struct.pack("<Q", len(e)) + e for e in elements)).hexdigest()
common.write_json(f"{out}/iter/variants.json", {key: {"count": len(elements), "sha256": digest}})
# What the iterator yields next: restoring the checkpoint into a fresh iterator must give the same.
common.write_json(f"{out}/iter/next.json", [int(x) for x in next(it).numpy()])
