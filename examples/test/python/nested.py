# argv: output folder. A functional model around a nested Sequential 'encoder', saved by Keras 3
# as .keras and as a legacy .h5 (model.save on a .h5 path); prints every weight by path.
out = sys.argv[1]
keras.utils.set_random_seed(3)
L = keras.layers
encoder = keras.Sequential([L.Dense(4, activation='relu', name='dense_a'), L.Dense(3, name='dense_b')], name='encoder')
inp = keras.Input((5,), name='x')
model = keras.Model(inp, L.Dense(2, name='head')(encoder(inp)), name='outer')
model.save(f'{out}/nested.keras')
model.save(f'{out}/nested.h5')
result(weights={w.path: arr(w.numpy()) for w in model.weights}, version=keras.__version__)
