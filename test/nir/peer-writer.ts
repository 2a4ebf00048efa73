/**
 * A NIR file written WITHOUT this toolkit: Python's h5py following NIR's published HDF5 layout (what
 * `nir.write` produces: /version, /node/type = NIRGraph, /node/nodes/<name>/{type, parameters,
 * input_type/, output_type/}, /node/edges as (E, 2) strings; arrays gzip-compressed). The graph is given as
 * a Python expression building `nodes` (name → dict of fields) and `edges`.
 */
export const PEER_WRITER = String.raw`
import sys, json, h5py, numpy as np

def write_nir(path, nodes, edges, version='1.0.4'):
    with h5py.File(path, 'w') as f:
        f.create_dataset('version', data=version, dtype=h5py.string_dtype())
        g = f.create_group('node')
        g.create_dataset('type', data='NIRGraph', dtype=h5py.string_dtype())
        ns = g.create_group('nodes')
        for name, fields in nodes.items():
            n = ns.create_group(name)
            for k, v in fields.items():
                if isinstance(v, str):
                    n.create_dataset(k, data=v, dtype=h5py.string_dtype())
                elif isinstance(v, dict):
                    sub = n.create_group(k)
                    for kk, vv in v.items():
                        sub.create_dataset(kk, data=vv)
                else:
                    a = np.asarray(v)
                    n.create_dataset(k, data=a, dtype=a.dtype, compression='gzip' if a.ndim > 0 else None)
        g.create_dataset('edges', data=np.array(edges, dtype=object), dtype=h5py.string_dtype())

def types(i, o):
    return {'input_type': {'input': np.array(i)}, 'output_type': {'output': np.array(o)}}
`;
