"""Writes an Arrow IPC file's `probs` (FixedSizeList<Float32>[C]) and `label` (Int32) columns as
.npy files, for the native reference (bench/native_reference.c):  python to_npy.py IN.arrow PROBS.npy LABELS.npy"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

reader = ipc.open_file(pa.memory_map(sys.argv[1]))
C = reader.schema.field('probs').type.list_size
rows = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
probs = np.lib.format.open_memmap(sys.argv[2], mode='w+', dtype=np.float32, shape=(rows, C))
labels = np.lib.format.open_memmap(sys.argv[3], mode='w+', dtype=np.int32, shape=(rows,))
at = 0
for i in range(reader.num_record_batches):
    b = reader.get_batch(i)
    n = b.num_rows
    probs[at : at + n] = b.column('probs').values.to_numpy(zero_copy_only=False).reshape(n, C)
    labels[at : at + n] = b.column('label').fill_null(-100).to_numpy(zero_copy_only=False)
    at += n
probs.flush()
labels.flush()
