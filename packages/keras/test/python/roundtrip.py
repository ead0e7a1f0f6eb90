# Keras → our reader → our writers → Keras. Keras saves each model kind as a standalone
# .weights.h5 (no config inside) and as a .keras (with config.json).
# argv: 'save' <dir> <kind>… | 'load' (<kind> <path>)…  (.keras paths go through load_model)
L = keras.layers


def build(kind):
    keras.backend.clear_session()  # auto-generated names restart at 'dense' for every model
    if kind == 'default_names':
        return keras.Sequential([keras.Input((3,)), L.Dense(4), L.Dense(2)])
    if kind == 'custom_names':
        return keras.Sequential([keras.Input((3,)), L.Dense(4, name='hidden'), L.Dense(2, name='out')])
    if kind == 'mixed_classes':
        return keras.Sequential([keras.Input((5,), dtype='int32'), L.Embedding(10, 4), L.Conv1D(3, 2),
                                 L.GlobalAveragePooling1D(), L.Dense(2)])
    if kind == 'bidirectional':
        return keras.Sequential([keras.Input((4, 3)), L.Bidirectional(L.LSTM(2)), L.Dense(1)])
    if kind == 'nested':
        inp = keras.Input((3,))
        block = keras.Sequential([keras.Input((3,)), L.Dense(4), L.Dense(3)], name='block')
        return keras.Model(inp, L.Dense(1)(block(inp)))
    if kind == 'nested_bn':  # legacy order puts the block's moving statistics after all trainable weights
        block = keras.Sequential([keras.Input((3,)), L.Dense(4), L.BatchNormalization(), L.Dense(3)], name='block')
        return keras.Sequential([keras.Input((3,)), block, L.Dense(1)])
    raise ValueError(kind)


out = {}
if sys.argv[1] == 'save':
    folder = sys.argv[2]
    for i, kind in enumerate(sys.argv[3:]):
        m = build(kind)
        rng = np.random.default_rng(i)
        m.set_weights([rng.uniform(-1, 1, w.shape).astype(np.float32) for w in m.get_weights()])
        m.save_weights(f'{folder}/{kind}.weights.h5')
        m.save(f'{folder}/{kind}.keras')
        with open(f'{folder}/{kind}.json', 'w') as f:  # the config a standalone .weights.h5 lacks
            f.write(m.to_json())
        out[kind] = {'weights': arrs(m.get_weights()), 'layers': [l.name for l in m.layers]}
else:
    args = sys.argv[2:]
    for i in range(0, len(args), 2):
        kind, path = args[i:i + 2]
        try:
            if path.endswith('.keras'):
                m = keras.models.load_model(path)
            else:
                m = build(kind)
                m.load_weights(path)
            out[path] = {'weights': arrs(m.get_weights())}
        except Exception as e:  # reported, with Keras's exact words, by the test
            out[path] = {'error': f'{type(e).__name__}: {e}'}
result(out)
