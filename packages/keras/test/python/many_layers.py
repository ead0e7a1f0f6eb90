# Test 7: many layer kinds (Embedding, Conv1D, BatchNormalization, LSTM, GRU, SimpleRNN,
# LayerNormalization, Dense) written by us as .weights.h5 and legacy .h5, loaded into Keras 3.
# argv: ours .weights.h5, ours legacy .h5, JSON list of the weights in get_weights() order
weights_h5, legacy_h5, values_json = sys.argv[1:4]
L = keras.layers


def build():
    inp = keras.Input((6,), dtype='int32', name='tokens')
    x = L.Embedding(10, 4, name='emb')(inp)
    x = L.Conv1D(5, 3, name='conv')(x)
    x = L.BatchNormalization(name='bn')(x)
    x = L.LSTM(3, return_sequences=True, name='lstm')(x)
    x = L.GRU(2, return_sequences=True, name='gru')(x)
    x = L.SimpleRNN(2, name='rnn')(x)
    x = L.LayerNormalization(name='ln')(x)
    return keras.Model(inp, L.Dense(2, name='head')(x))


x = np.array([[0, 1, 2, 3, 4, 5], [9, 8, 7, 6, 5, 4], [3, 3, 3, 3, 3, 3]], dtype=np.int32)
reference = build()
reference.set_weights([np.array(v['values'], dtype=np.float32).reshape(v['shape']) for v in json.loads(values_json)])
out = {'layers': [[l.name, type(l).__name__, [list(w.shape) for w in l.weights]] for l in reference.layers],
       'pred_set_weights': arr(reference.predict(x, verbose=0))}
for name, path in (('weights_h5', weights_h5), ('legacy_h5', legacy_h5)):
    m = build()
    m.load_weights(path)
    out[name] = {'weights': arrs(m.get_weights()), 'pred': arr(m.predict(x, verbose=0))}
result(out)
