# Test 2: a .keras written by us loads with keras.models.load_model like the original archive:
# same config, weights, optimizer state and predictions. argv: original .keras, ours .keras
original, ours = sys.argv[1:3]
x = np.array([[0.0, 0.0], [1.0, 2.0], [3.5, -1.0], [10.0, 4.0]], dtype=np.float32)

ours_model = keras.models.load_model(ours)
orig_model = keras.models.load_model(original)
result({
    'same_config': ours_model.get_config() == orig_model.get_config(),
    'class_ours': type(ours_model).__name__,
    'weights_ours': arrs(ours_model.get_weights()),
    'weights_original': arrs(orig_model.get_weights()),
    'optimizer_ours': arrs([v.value for v in ours_model.optimizer.variables]),
    'optimizer_original': arrs([v.value for v in orig_model.optimizer.variables]),
    'pred_ours': arr(ours_model.predict(x, verbose=0)),
    'pred_original': arr(orig_model.predict(x, verbose=0)),
})
