# The tensorspace LeNet (keras-h5/tensorspace-lenet-*/ topology) rebuilt by hand in Keras 3: Keras 3
# cannot deserialize that Keras 2.1/2.2 Sequential config (its 'config' is a list).
def lenet():
    L = keras.layers
    return keras.Sequential([
        keras.Input((28, 28)),
        L.Reshape((28, 28, 1), name='reshape_1'),
        L.Conv2D(6, 5, name='Conv2D_1'),
        L.MaxPooling2D(2, name='MaxPooling2D_1'),
        L.Conv2D(16, 5, name='Conv2D_2'),
        L.MaxPooling2D(2, name='MaxPooling2D_2'),
        L.Flatten(name='flatten_1'),
        L.Dense(120, activation='relu', name='Dense_1'),
        L.Dense(84, activation='relu', name='Dense_2'),
        L.Dense(10, activation='softmax', name='Softmax'),
    ])


def images():
    return np.random.default_rng(7).random((3, 28, 28), dtype=np.float32)
