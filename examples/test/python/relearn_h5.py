# argv: kind (cnn | lenet), example 3's edited .h5, input batch (JSON).
# Builds the model in Keras 3, load_weights(edited.h5), predicts, trains one step.
kind, path, batch = sys.argv[1], sys.argv[2], np.asarray(json.loads(sys.argv[3]), dtype='float32')
L = keras.layers
if kind == 'cnn':
    model = keras.Sequential([
        keras.Input((6, 6, 1)), L.Conv2D(2, 3, activation='relu', name='conv'), L.Flatten(name='flatten'),
        L.Dense(4, activation='relu', name='dense'), L.Dense(2, activation='softmax', name='out'),
    ])
else:  # the LeNet of tensorspace-lenet-full (its Keras 2.1.6 config is too old for Keras 3's load_model)
    model = keras.Sequential([
        keras.Input((28, 28)), L.Reshape((28, 28, 1)), L.Conv2D(6, 5, name='Conv2D_1'), L.MaxPooling2D(2),
        L.Conv2D(16, 5, name='Conv2D_2'), L.MaxPooling2D(2), L.Flatten(),
        L.Dense(120, activation='relu', name='Dense_1'), L.Dense(84, activation='relu', name='Dense_2'), L.Dense(10, activation='softmax', name='Softmax'),
    ])
model.load_weights(path)
loaded = [arr(w) for w in model.get_weights()]
pred = model.predict(batch, verbose=0)
classes = pred.shape[-1]
y = np.eye(classes, dtype='float32')[np.arange(len(batch)) % classes]
extra = {}
if kind == 'cnn':
    # The legacy file carries its Keras 2 model config: Keras 3's load_model builds the model from it too.
    again = keras.models.load_model(path, compile=False)
    extra['load_model_weights'] = [arr(w) for w in again.get_weights()]
result(weights=loaded, pred=arr(pred), train=relearn(model, batch, y), **extra)
