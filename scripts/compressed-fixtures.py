"""Writes the compressed Arrow IPC fixtures of test/compression.test.ts into test/fixtures/compressed/.

Each data set is written uncompressed and compressed by pyarrow, as users write Feather files
(Feather V2 is the Arrow IPC file format; pyarrow's and pandas' default Feather compression is LZ4):

  bin.*        binary: prob float32, label bool (a few null), batches of 800, 0, 900 and 300 rows
  mc.*         multiclass: label int32 (a few null), probs FixedSizeList<float32>[4], same batches
  mc_dict.*    multiclass with dictionary-encoded string labels (read through apache-arrow),
               its dictionary batch compressed too
  mc.default.feather   pyarrow.feather.write_feather(table) with its defaults (LZ4, one batch),
               and mc.default.arrow, the same with compression="uncompressed"
  mc.arrows, mc.lz4.arrows   the mc batches as IPC streams

The tests check that every compressed file scores to the same report as its uncompressed twin,
and patch bytes of the compressed ones for the corrupt cases. Seeded; the output is committed, so
this only needs rerunning to change the fixtures:

  python3 scripts/compressed-fixtures.py      (needs numpy and pyarrow)
"""

import os

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "compressed")
BATCHES = [800, 0, 900, 300]
CLASSES = ["bg", "cat", "dog", "fox"]


def softmax_rows(rng, labels, classes):
    """Probabilities that favour the label, float32, each row summing to ~1."""
    logits = rng.normal(0.0, 1.0, (len(labels), classes))
    logits[np.arange(len(labels)), np.where(labels < 0, 0, labels)] += 2.0
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def tables(rng):
    n = sum(BATCHES)
    ids = pa.array(np.arange(n, dtype=np.int32))
    # Imbalanced classes (background ~85 %), a few null labels.
    labels = rng.choice(len(CLASSES), n, p=[0.85, 0.08, 0.05, 0.02]).astype(np.int32)
    nulls = rng.random(n) < 0.01
    probs = softmax_rows(rng, labels, len(CLASSES))
    fsl = pa.FixedSizeListArray.from_arrays(pa.array(probs.reshape(-1)), len(CLASSES))
    mc = pa.table({"id": ids, "label": pa.array(labels, mask=nulls), "probs": fsl})
    names = pa.array([CLASSES[k] for k in labels], mask=nulls).dictionary_encode()
    mc_dict = pa.table({"id": ids, "probs": fsl, "label": names})
    positive = rng.random(n) < 0.1
    prob = np.clip(np.where(positive, rng.beta(4, 2, n), rng.beta(1, 6, n)), 0, 1).astype(np.float32)
    bin_ = pa.table({"id": ids, "prob": pa.array(prob), "label": pa.array(positive, mask=rng.random(n) < 0.01)})
    return {"bin": bin_, "mc": mc, "mc_dict": mc_dict}


def batches(table):
    """The table as record batches of BATCHES rows (an empty one included), sharing one dictionary."""
    columns = [c.chunk(0) for c in table.combine_chunks().columns]
    out, at = [], 0
    for rows in BATCHES:
        out.append(pa.RecordBatch.from_arrays([c.slice(at, rows) for c in columns], schema=table.schema))
        at += rows
    return out


def write_file(path, table, compression):
    with ipc.new_file(path, table.schema, options=ipc.IpcWriteOptions(compression=compression)) as writer:
        for batch in batches(table):
            writer.write_batch(batch)


def write_stream(path, table, compression):
    with ipc.new_stream(path, table.schema, options=ipc.IpcWriteOptions(compression=compression)) as writer:
        for batch in batches(table):
            writer.write_batch(batch)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261203)
    for name, table in tables(rng).items():
        write_file(os.path.join(OUT, f"{name}.arrow"), table, None)
        write_file(os.path.join(OUT, f"{name}.lz4.feather"), table, "lz4")
        write_file(os.path.join(OUT, f"{name}.zstd.feather"), table, "zstd")
        if name == "mc":
            feather.write_feather(table, os.path.join(OUT, "mc.default.feather"))
            feather.write_feather(table, os.path.join(OUT, "mc.default.arrow"), compression="uncompressed")
            write_stream(os.path.join(OUT, "mc.arrows"), table, None)
            write_stream(os.path.join(OUT, "mc.lz4.arrows"), table, "lz4")
    for f in sorted(os.listdir(OUT)):
        print(f"{f}: {os.path.getsize(os.path.join(OUT, f))} bytes")


if __name__ == "__main__":
    main()
