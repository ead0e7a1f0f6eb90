# Prelude of the real-Keras checks: each script ends by printing one 'RESULT:' + JSON line.
import json, sys
import numpy as np
import keras


def arr(a):
    a = np.asarray(a)
    return {'dtype': a.dtype.str, 'shape': list(a.shape), 'values': a.astype(np.float64).ravel().tolist()}


def result(**kw):
    print('RESULT:' + json.dumps(kw))


def relearn(model, x, y):
    """Compile, remember the weights, run one training step, say which weights moved."""
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss='categorical_crossentropy')
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=1, batch_size=len(x), verbose=0)
    after = model.get_weights()
    return {'loss': float(history.history['loss'][0]), 'moved': [bool(not np.array_equal(a, b)) for a, b in zip(before, after)]}
