/** Structure of an HDF5 file as h5py (the HDF5 C library) sees it, for layout comparisons. */
import { pythonWith, runPython } from '@tfweights/testkit';

export const python = pythonWith('numpy', 'h5py');

const SCRIPT = `
import sys, json, hashlib, h5py, numpy as np
def atype(a):
    t = a.get_type()
    if isinstance(t, h5py.h5t.TypeStringID):
        pad = '' if t.is_variable_str() else ['-nullterm', '-nullpad', '-spacepad'][t.get_strpad()]
        return ('vlen-str' if t.is_variable_str() else 'S%d' % t.get_size()) + ('-utf8' if t.get_cset() == 1 else '-ascii') + pad
    return a.dtype.str
def aval(v):
    if isinstance(v, bytes): return v.decode('utf8')
    if isinstance(v, np.ndarray): return [aval(x) for x in v.tolist()]
    if isinstance(v, list): return [aval(x) for x in v]
    if isinstance(v, np.generic): return v.item()
    return v
out = {'superblock': None, 'objects': {}}
f = h5py.File(sys.argv[1], 'r')
out['superblock'] = f.id.get_create_plist().get_version()[0]
def visit(name, obj):
    attrs = {}
    for k in obj.attrs:
        a = obj.attrs.get_id(k)
        v = obj.attrs[k]
        attrs[k] = [atype(a), list(a.shape), aval(v) if k not in ('model_config','training_config') else 'json:' + str(len(json.loads(v)))]
    if isinstance(obj, h5py.Dataset):
        data = obj[()]
        lay = obj.id.get_create_plist().get_layout()
        out['objects'][name] = {'kind': 'dataset', 'dtype': obj.dtype.str, 'shape': list(obj.shape), 'contiguous': lay == h5py.h5d.CONTIGUOUS, 'sha': hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest(), 'attrs': attrs}
    else:
        out['objects'][name] = {'kind': 'group', 'attrs': attrs}
visit('/', f)
f.visititems(visit)
print(json.dumps(out))
`;

export interface H5Dump {
  superblock: number;
  objects: Record<string, { kind: string; dtype?: string; shape?: number[]; contiguous?: boolean; sha?: string; attrs: Record<string, [string, number[], unknown]> }>;
}

export async function h5dump(path: string): Promise<H5Dump> {
  return JSON.parse(await runPython(python!, SCRIPT, [path])) as H5Dump;
}
