# Test 4: Keras 2 (and Keras 3 legacy) .h5 → our reader → our Keras 3 .weights.h5 → Keras 3
# load_weights, compared with Keras 3's own legacy-h5 loading of the original file.
# argv: triples of (kind, original .h5, ours .weights.h5); kind 'config' builds the model from
# the file's model_config, 'lenet' builds the tensorspace LeNet by hand.
out = {}
args = sys.argv[1:]
for i in range(0, len(args), 3):
    kind, original, ours = args[i:i + 3]
    if kind == 'lenet':
        build = lenet
    else:
        with h5py.File(original, 'r') as f:
            config = f.attrs['model_config']
        config = config.decode('utf8') if isinstance(config, bytes) else config
        build = lambda: legacy_model(config)
    ours_model = build()
    ours_model.load_weights(ours)
    n_in = ours_model.inputs[0].shape[-1]
    x = images() if kind == 'lenet' else np.linspace(-1.0, 1.0, 3 * n_in, dtype=np.float32).reshape(3, n_in)
    keras_model = build()
    keras_model.load_weights(original)
    out[original] = {
        'h5py_original': h5_datasets(original),
        'weights_ours': arrs(ours_model.get_weights()),
        'weights_keras_legacy_loader': arrs(keras_model.get_weights()),
        'pred_ours': arr(ours_model.predict(x, verbose=0)),
        'pred_keras_legacy_loader': arr(keras_model.predict(x, verbose=0)),
    }
result(out)
