# 16-bit weights: float16 and bfloat16 layers load our (float32-encoded) tensors; Keras saves its
# own .weights.h5 of the same model for our reader.
# argv: JSON of the values, Keras's new .weights.h5 path, then (model kind, ours file)…
values_json, new_path = sys.argv[1:3]
L = keras.layers


def build(kind):
    layers = [keras.Input((3,)), L.Dense(4, dtype='float16', name='half')]
    if kind == 'both':
        layers.append(L.Dense(2, dtype='bfloat16', name='brain'))
    return keras.Sequential(layers)


def values(m):
    # bfloat16 is not a numpy dtype: go through float32 (exact for both 16-bit kinds).
    return [{'dtype': str(v.dtype), 'shape': list(v.shape),
             'values': np.asarray(keras.ops.cast(v.value, 'float32')).astype(np.float64).ravel().tolist()}
            for v in m.weights]


out = {}
args = sys.argv[3:]
for i in range(0, len(args), 2):
    kind, path = args[i:i + 2]
    m = build(kind)
    try:
        m.load_weights(path)
        out[path] = {'weights': values(m)}
    except Exception as e:  # reported, with Keras's exact words, by the test
        out[path] = {'error': f'{type(e).__name__}: {e}'}
m = build('both')
m.set_weights([np.array(v['values'], dtype=np.float32).reshape(v['shape']) for v in json.loads(values_json)])
m.save_weights(new_path)
out['keras_saved'] = values(m)
result(out)
