# Test 5: after loading our .weights.h5 (with Adam state) the model keeps training, and Keras's
# own save_weights output is what our reader must read next. argv: model.json, ours, new path
cfg_path, ours, new_path = sys.argv[1:4]
model = keras.models.model_from_json(open(cfg_path).read())
model.compile(optimizer='adam', loss='mse')
model.optimizer.build(model.trainable_variables)  # so load_weights has Adam slots to fill
model.load_weights(ours)
before = arrs(model.get_weights())
optimizer_before = arrs([v.value for v in model.optimizer.variables])
x = np.linspace(-1.0, 1.0, 8 * 8, dtype=np.float32).reshape(8, 8)
y = np.array([[0], [1], [0], [1], [1], [0], [1], [0]], dtype=np.float32)
history = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
model.save_weights(new_path)
result({
    'weights_before': before,
    'optimizer_before': optimizer_before,
    'weights_after': arrs(model.get_weights()),
    'iterations_after': int(model.optimizer.iterations.value),
    'loss': float(history.history['loss'][0]),
    'h5py_new': h5_datasets(new_path),
})
