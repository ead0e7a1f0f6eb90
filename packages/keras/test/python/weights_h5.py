# Test 1: a Keras 3 .weights.h5 written by us loads into the model of model.json exactly as the
# original file does. argv: model.json, original .weights.h5, ours .weights.h5
cfg_path, original, ours = sys.argv[1:4]
config = open(cfg_path).read()
x = np.linspace(-2.0, 2.0, 4 * 8, dtype=np.float32).reshape(4, 8)

ours_model = keras.models.model_from_json(config)
ours_model.load_weights(ours)
orig_model = keras.models.model_from_json(config)
orig_model.load_weights(original)
result({
    'h5py_original': h5_datasets(original),
    'weights_ours': arrs(ours_model.get_weights()),
    'pred_ours': arr(ours_model.predict(x, verbose=0)),
    'pred_original': arr(orig_model.predict(x, verbose=0)),
    'x': arr(x),
})
