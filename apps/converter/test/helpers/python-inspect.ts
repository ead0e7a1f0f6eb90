/**
 * Independent checks of written files with Debian's NumPy and h5py: every array of each
 * `.npz`, `.npy` folder (through its index.json) or HDF5 file, with dtype, shape and the
 * SHA-256 of its canonical bytes (MANIFEST.md's definition, so it compares with truth.json).
 */
import { pythonWith, runPython } from '@tfweights/testkit';

export interface PyArray {
  dtype: string;
  shape: number[];
  sha256: string;
}

const CODE = String.raw`
import hashlib, json, os, struct, sys
import numpy as np

def canon(a):
    h = hashlib.sha256()
    a = np.asarray(a)
    if a.dtype.kind in 'US':
        for e in a.flatten(order='C'):
            b = e.encode('utf-8') if isinstance(e, str) else bytes(e).rstrip(b'\0')
            h.update(struct.pack('<Q', len(b))); h.update(b)
        return 'string', h.hexdigest()
    if a.dtype.kind == 'O':
        for e in a.flatten(order='C'):
            b = e.encode('utf-8') if isinstance(e, str) else bytes(e)
            h.update(struct.pack('<Q', len(b))); h.update(b)
        return 'string', h.hexdigest()
    le = a.astype(a.dtype.newbyteorder('<'), copy=False)
    h.update(np.ascontiguousarray(le).tobytes(order='C'))
    return a.dtype.name, h.hexdigest()

def entry(a):
    dt, sha = canon(a)
    return {'dtype': dt, 'shape': list(a.shape), 'sha256': sha}

out = {}
for path in sys.argv[1:]:
    res = {}
    if os.path.isdir(path):
        index = json.load(open(os.path.join(path, 'index.json')))
        for t in index['tensors']:
            res[t['key']] = entry(np.load(os.path.join(path, t['file']), allow_pickle=False))
    elif path.endswith('.npz'):
        with np.load(path, allow_pickle=False) as z:
            for k in z.files:
                res[k] = entry(z[k])
    else:
        import h5py
        with h5py.File(path, 'r') as f:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    res[name] = entry(obj[()])
            f.visititems(visit)
            res['@attrs'] = {k: (v.tolist() if hasattr(v, 'tolist') else v) for k, v in f.attrs.items() if k != 'model_config' and k != 'training_config'}
            res['@attrs'] = json.loads(json.dumps(res['@attrs'], default=lambda o: o.decode() if isinstance(o, bytes) else str(o)))
    out[path] = res
print(json.dumps(out))
`;

let exe: string | undefined | null = null;
/** The Python with numpy and h5py, or undefined (tests then skip, saying so). */
export function numpyPython(): string | undefined {
  if (exe === null) exe = pythonWith('numpy', 'h5py');
  return exe;
}

/** Arrays of each file, by member / dataset path. */
export async function inspectWithPython(paths: string[]): Promise<Record<string, Record<string, PyArray>>> {
  const py = numpyPython();
  if (!py) throw new Error('python with numpy and h5py is not available');
  return JSON.parse(await runPython(py, CODE, paths)) as Record<string, Record<string, PyArray>>;
}
