"""Writes the Parquet fixtures of test/parquetLean.test.ts into test/fixtures/parquet/.

Each data set is written once as an Arrow IPC file whose batches are its row groups (its twin,
read by another reader entirely) and as Parquet by pyarrow with the options users reach for:
every codec, data page v1 and v2, with and without dictionaries, BYTE_STREAM_SPLIT floats, small
pages (many per column chunk), and DELTA_BINARY_PACKED labels (an encoding the lean reader leaves
to parquet-wasm). The data sets have what the lean reader must place right: null rows, null list
elements, empty lists, null labels, bools, unsigned and 64-bit labels, a row group longer than a
batch (65,536 rows).

  mc.*     multiclass probs List<Float32> (4 a row; some null rows, null elements, empty lists), label Int32 (some null)
  fsl.*    multiclass probs FixedSizeList<Float32>[4] (some null rows), label UInt8
  bin.*    binary prob Float64 (some null), label Bool (some null)
  ml.*     multilabel logits List<Float32> (5 a row), label List<Bool> (some null elements)
  long.*   binary prob Float32, label Int64: 70,000 rows in one row group
  mc_empty_first.*  mc whose first row group has no row, its second only null rows
  names.*  multiclass probs List<Float32> (4 a row), string labels (some null; one not ASCII) in
           the forms writers use: pyarrow Utf8 with a dictionary (v1, v2), without one (PLAIN
           pages, v1, v2), a dictionary that falls back to PLAIN pages mid-chunk (Utf8, and a
           Dictionary whose Arrow chunks change dictionary), pandas categorical to_parquet,
           DuckDB VARCHAR (no ARROW:schema), polars Categorical beside an Int128 column; the
           twin's labels are Utf8

Seeded; the output is committed, so this only needs rerunning to change the fixtures:

  python3 scripts/parquet-fixtures.py      (needs numpy and pyarrow; names.* also pandas, duckdb
                                            and polars: the lead's venv, /tmp/venv)
"""

import os

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "parquet")
rng = np.random.default_rng(11)


def softmax(n, c, labels):
    z = rng.normal(0.0, 1.0, (n, c))
    z[np.arange(n), np.where(labels < 0, 0, labels) % c] += 2.0
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def twin(name, table, rows_per_group):
    """The IPC file twin: batches of the row groups' rows."""
    batches = table.combine_chunks().to_batches(max_chunksize=rows_per_group)
    with ipc.new_file(os.path.join(OUT, f"{name}.arrow"), table.schema) as w:
        for b in batches:
            w.write_batch(b)


def parquet(name, table, rows_per_group, **options):
    pq.write_table(table, os.path.join(OUT, f"{name}.parquet"), row_group_size=rows_per_group, **options)


def mc_table(n):
    labels = rng.integers(0, 4, n)
    probs = softmax(n, 4, labels).tolist()
    label = labels.astype(np.int32).tolist()
    for i in range(n):
        if i % 17 == 3:
            probs[i] = None  # a null row
        elif i % 23 == 5:
            probs[i][2] = None  # a null element
        elif i % 41 == 7:
            probs[i] = []  # an empty list
        if i % 19 == 11:
            label[i] = None
    return pa.table({"probs": pa.array(probs, pa.list_(pa.float32())), "label": pa.array(label, pa.int32())})


def main():
    os.makedirs(OUT, exist_ok=True)

    mc = mc_table(600)
    twin("mc", mc, 250)
    variants = {
        "mc.snappy": dict(compression="snappy"),
        "mc.zstd.v2": dict(compression="zstd", data_page_version="2.0", use_dictionary=False),
        "mc.gzip": dict(compression="gzip"),
        "mc.brotli.v2": dict(compression="brotli", data_page_version="2.0"),
        "mc.lz4raw": dict(compression="lz4"),
        "mc.none.smallpages": dict(compression="none", data_page_size=256, write_batch_size=64),
        "mc.snappy.v2.smallpages": dict(compression="snappy", data_page_version="2.0", data_page_size=256, write_batch_size=64),
        "mc.bss": dict(compression="snappy", use_dictionary=False, column_encoding={"probs.list.element": "BYTE_STREAM_SPLIT", "label": "BYTE_STREAM_SPLIT"}),
        "mc.delta": dict(compression="snappy", use_dictionary=False, column_encoding={"probs": "PLAIN", "label": "DELTA_BINARY_PACKED"}),
        "mc.crc": dict(compression="snappy", write_page_checksum=True),
    }
    for name, options in variants.items():
        parquet(name, mc, 250, **options)

    n = 500
    labels = rng.integers(0, 4, n)
    probs = softmax(n, 4, labels).tolist()
    for i in range(0, n, 13):
        probs[i] = None
    fsl = pa.table({"probs": pa.array(probs, pa.list_(pa.float32(), 4)), "label": pa.array(labels.astype(np.uint8), pa.uint8())})
    twin("fsl", fsl, 200)
    parquet("fsl.snappy", fsl, 200, compression="snappy")
    parquet("fsl.zstd.v2", fsl, 200, compression="zstd", data_page_version="2.0")

    n = 700
    y = rng.random(n) < 0.3
    p = np.clip(np.where(y, 0.7, 0.3) + rng.normal(0, 0.2, n), 0.01, 0.99)
    prob = [None if i % 29 == 4 else float(v) for i, v in enumerate(p)]
    label = [None if i % 31 == 6 else bool(v) for i, v in enumerate(y)]
    bin_t = pa.table({"prob": pa.array(prob, pa.float64()), "label": pa.array(label, pa.bool_())})
    twin("bin", bin_t, 300)
    parquet("bin.snappy", bin_t, 300, compression="snappy")
    parquet("bin.none.v2", bin_t, 300, compression="none", data_page_version="2.0")

    n, c = 400, 5
    targets = (rng.random((n, c)) < 0.3).tolist()
    logits = (rng.normal(0, 2, (n, c)) + np.where(np.array(targets), 1.5, -1.5)).astype(np.float32).tolist()
    for i in range(0, n, 37):
        targets[i][1] = None
    ml = pa.table({"logits": pa.array(logits, pa.list_(pa.float32())), "label": pa.array(targets, pa.list_(pa.bool_()))})
    twin("ml", ml, 150)
    parquet("ml.snappy", ml, 150, compression="snappy")
    parquet("ml.gzip.v2", ml, 150, compression="gzip", data_page_version="2.0")

    n = 70_000
    y = rng.random(n) < 0.2
    p = np.clip(np.where(y, 0.65, 0.35) + rng.normal(0, 0.2, n), 0.001, 0.999).astype(np.float32)
    long_t = pa.table({"prob": pa.array(p, pa.float32()), "label": pa.array(y.astype(np.int64), pa.int64())})
    twin("long", long_t, 65_536)
    parquet("long.snappy", long_t, n, compression="snappy")

    empty = mc_table(40).slice(0, 0)
    nulls = pa.table({"probs": pa.array([None] * 8, pa.list_(pa.float32())), "label": pa.array([1] * 8, pa.int32())})
    rest = mc_table(32)
    with pq.ParquetWriter(os.path.join(OUT, "mc_empty_first.snappy.parquet"), mc.schema, compression="snappy") as w:
        for t in (empty, nulls, rest):
            w.write_table(t, row_group_size=64)
    with ipc.new_file(os.path.join(OUT, "mc_empty_first.arrow"), mc.schema) as w:
        for t in (empty, nulls, rest):
            w.write_table(t)

    string_labels()


NAMES = ["cat", "dog", "bird-café", "fish"]


def string_labels():
    import duckdb
    import pandas as pd
    import polars as pl

    n = 600
    labels = rng.integers(0, 4, n)
    probs = softmax(n, 4, labels)
    names = [None if i % 19 == 11 else NAMES[k] for i, k in enumerate(labels)]
    probs_list = pa.array(probs.tolist(), pa.list_(pa.float32()))
    names_t = pa.table({"probs": probs_list, "label": pa.array(names, pa.string())})
    twin("names", names_t, 250)
    variants = {
        "names.snappy": dict(compression="snappy"),
        "names.none": dict(compression="none"),
        "names.zstd.v2": dict(compression="zstd", data_page_version="2.0"),
        "names.plain.snappy": dict(compression="snappy", use_dictionary=False),
        "names.plain.none": dict(compression="none", use_dictionary=False),
        "names.plain.gzip.v2.smallpages": dict(compression="gzip", data_page_version="2.0", use_dictionary=False, data_page_size=256, write_batch_size=64),
        # The dictionary holds the first write batch's strings, then the writer falls back to PLAIN pages.
        "names.fallback": dict(compression="snappy", dictionary_pagesize_limit=1, write_batch_size=64, data_page_size=256),
    }
    for name, options in variants.items():
        parquet(name, names_t, 250, **options)

    # An Arrow Dictionary whose chunks have their own dictionaries: pyarrow writes the first chunk's
    # as the dictionary page (in its order, not the rows'), then falls back to PLAIN for the next
    # chunk; parquet-wasm then gives the batch's strings in order of first appearance.
    array = pa.array(names, pa.string())
    order = NAMES[::-1]
    first = pa.DictionaryArray.from_arrays(pa.array([None if v is None else order.index(v) for v in names[:100]], pa.int32()), pa.array(order))
    chunks = [first, array[100:].dictionary_encode()]
    dict_t = pa.table({"probs": probs_list, "label": pa.chunked_array(chunks)})
    parquet("names.dictfallback", dict_t, 250, compression="snappy")

    # pandas: a categorical (categories in an order of their own) to_parquet, with its defaults.
    frame = pd.DataFrame({"probs": list(probs), "label": pd.Categorical(names, categories=["fish", "cat", "dog", "bird-café"])})
    frame.to_parquet(os.path.join(OUT, "names.pandas.parquet"), row_group_size=250)

    # DuckDB: VARCHAR labels, no ARROW:schema (the types derived from the Parquet schema).
    duckdb.sql(f"COPY (SELECT * FROM names_t) TO '{os.path.join(OUT, 'names.duckdb.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 250)")

    # polars: a Categorical label beside an Int128 column (which parquet-wasm does not read).
    pl.DataFrame(
        {
            "id": pl.Series(range(n), dtype=pl.Int128),
            "probs": pl.Series(probs.tolist(), dtype=pl.List(pl.Float32)),
            "label": pl.Series(names, dtype=pl.Categorical),
        }
    ).write_parquet(os.path.join(OUT, "names.polars.parquet"), row_group_size=250)


if __name__ == "__main__":
    main()
