# Test 3: legacy .h5 files written by us load into Keras 3 (its legacy-h5 loader).
# argv: KERAS_3layer.json, KERAS_3layer_weights.h5 (original), ours save_weights .h5,
#       ours model.save-layout .h5, tensorspace weights.h5 (original), ours tensorspace .h5,
#       Keras 3.10 legacy model.h5 with Adam state (original), ours copy of it
hls_json, hls_original, hls_ours, hls_ours_full, ts_original, ts_ours, churn_original, churn_ours = sys.argv[1:9]
config = open(hls_json).read()
x = np.linspace(-1.5, 1.5, 3 * 16, dtype=np.float32).reshape(3, 16)

hls_ours_model = legacy_model(config)
hls_ours_model.load_weights(hls_ours)
hls_orig_model = legacy_model(config)
hls_orig_model.load_weights(hls_original)
full = keras.models.load_model(hls_ours_full, compile=False)

ts_ours_model = lenet()
ts_ours_model.load_weights(ts_ours)
ts_orig_model = lenet()
ts_orig_model.load_weights(ts_original)
# model.save layout with training_config and optimizer_weights: load_model compiles and sets Adam.
churn = {}
for name, path in (('ours', churn_ours), ('original', churn_original)):
    m = keras.models.load_model(path)
    churn[name] = {
        'weights': arrs(m.get_weights()),
        'optimizer': arrs([v.value for v in m.optimizer.variables]),
        'loss': m.loss if isinstance(m.loss, str) else repr(m.loss),
        'pred': arr(m.predict(np.linspace(-1.0, 1.0, 2 * 12, dtype=np.float32).reshape(2, 12), verbose=0)),
    }
result({
    'churn': churn,
    'hls': {
        'h5py_original': h5_datasets(hls_original),
        'weights_ours': arrs(hls_ours_model.get_weights()),
        'pred_ours': arr(hls_ours_model.predict(x, verbose=0)),
        'pred_original': arr(hls_orig_model.predict(x, verbose=0)),
    },
    'hls_full': {
        'layers': [[l.name, type(l).__name__] for l in full.layers],
        'weights_ours': arrs(full.get_weights()),
        'pred_ours': arr(full.predict(x, verbose=0)),
    },
    'tensorspace': {
        'h5py_original': h5_datasets(ts_original),
        'weights_ours': arrs(ts_ours_model.get_weights()),
        'pred_ours': arr(ts_ours_model.predict(images(), verbose=0)),
        'pred_original': arr(ts_orig_model.predict(images(), verbose=0)),
    },
})
