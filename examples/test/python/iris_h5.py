# argv: model.json, input rows (JSON), then files the bundled checkpoint was saved as (.h5,
# .weights.h5, .keras). Each: a fresh model from model.json, load_weights(file), predict, one fit step.
config, rows = sys.argv[1], np.asarray(json.loads(sys.argv[2]), dtype='float32')
out = {}
for path in sys.argv[3:]:
    model = keras.models.model_from_json(open(config).read())
    model.load_weights(path)
    pred = model.predict(rows, verbose=0)
    y = np.eye(3, dtype='float32')[np.arange(len(rows)) % 3]
    out[path] = {'pred': arr(pred), 'train': relearn(model, rows, y)}
result(**out)
