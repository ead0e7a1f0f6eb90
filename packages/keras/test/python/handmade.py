# Test 6: a two-layer Dense model we wrote with known values, as .weights.h5, .keras and legacy
# .h5, loaded into Keras 3; then one training step and Keras's save_weights.
# argv: ours .weights.h5, ours .keras, ours legacy .h5, input JSON, new .weights.h5 path,
#       ours .weights.h5 from the TensorWriter adapter, ours .keras with the default config
weights_h5, archive, legacy_h5, x_json, new_path, adapter_h5, bare_archive = sys.argv[1:8]
x = np.array(json.loads(x_json), dtype=np.float32)


def build():
    return keras.Sequential([
        keras.Input((3,)),
        keras.layers.Dense(4, activation='relu', name='hidden'),
        keras.layers.Dense(2, use_bias=False, name='out'),
    ])


out = {}
m = build()
m.load_weights(weights_h5)
out['weights_h5'] = {'weights': arrs(m.get_weights()), 'pred': arr(m.predict(x, verbose=0))}
a = keras.models.load_model(archive)
out['archive'] = {'weights': arrs(a.get_weights()), 'pred': arr(a.predict(x, verbose=0)),
                  'layers': [[l.name, type(l).__name__] for l in a.layers]}
legacy = build()
legacy.load_weights(legacy_h5)
out['legacy_h5'] = {'weights': arrs(legacy.get_weights()), 'pred': arr(legacy.predict(x, verbose=0))}
adapter = build()
adapter.load_weights(adapter_h5)
out['adapter_h5'] = {'weights': arrs(adapter.get_weights()), 'pred': arr(adapter.predict(x, verbose=0))}
# Without a config the archive is meant for load_weights only (README), which Keras accepts for .keras.
bare = build()
bare.load_weights(bare_archive)
out['bare_archive'] = {'weights': arrs(bare.get_weights()), 'pred': arr(bare.predict(x, verbose=0))}

m.compile(optimizer='adam', loss='mse')
m.fit(x, np.ones((len(x), 2), dtype=np.float32), epochs=1, batch_size=len(x), verbose=0)
m.save_weights(new_path)
out['trained'] = {'weights': arrs(m.get_weights()), 'h5py_new': h5_datasets(new_path)}
result(out)
