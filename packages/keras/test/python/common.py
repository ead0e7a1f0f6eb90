# Shared prelude of the real-Keras checks (prepended to each script by real-keras.test.ts).
# Every script prints one line 'RESULT:' + JSON; arrays go out as float64 lists (exact for float32).
import json, logging, sys, warnings
import numpy as np
import h5py
import keras

# Keras reports load problems (skipped variables, mismatched groups) as UserWarnings: collect them
# so the tests can insist there are none (numpy/JAX deprecation noise is ignored).
warnings.simplefilter('ignore')
warnings.simplefilter('always', UserWarning)
_caught = []
warnings.showwarning = lambda message, category, *rest, **kw: _caught.append(f'{category.__name__}: {message}')


# Said for Keras's own files too (legacy load_model compiles before any metric is built): not a problem.
_BENIGN = ('Compiled the loaded model, but the compiled metrics have yet to be built',)


class _Collect(logging.Handler):
    """Keras's legacy-h5 loader reports optimizer-state failures through (absl) logging."""

    def emit(self, record):
        message = record.getMessage()
        if not message.startswith(_BENIGN):
            _caught.append(f'log {record.levelname}: {message}')


logging.getLogger().addHandler(_Collect(logging.WARNING))


def arr(a):
    a = np.asarray(a)
    return {'dtype': a.dtype.str, 'shape': list(a.shape), 'values': a.astype(np.float64).ravel().tolist()}


def arrs(xs):
    return [arr(x) for x in xs]


def h5_datasets(path):
    """Every dataset of an HDF5 file as h5py (the HDF5 C library) reads it, keyed by path."""
    out = {}
    with h5py.File(path, 'r') as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = arr(obj[()])
        f.visititems(visit)
    return out


def legacy_model(config_json_text):
    """A Keras 3 model from a Keras 2 model_config, through Keras 3's own legacy-h5 deserializer."""
    from keras.src.legacy.saving import saving_utils
    return saving_utils.model_from_config(json.loads(config_json_text))


def result(obj):
    obj['warnings'] = _caught
    print('RESULT:' + json.dumps(obj))
