"""Writes test/fixtures/types/: small prediction dumps in the Arrow types that pyarrow, polars,
pandas and DuckDB write (LargeList, LargeUtf8, Utf8View, dictionaries of them with any index
width, 64-bit and unsigned integers), each beside a "plain" twin holding the same values in the
types focal-eval always read (FixedSizeList, Int32, Utf8), with the same batch boundaries, so that
test/types.test.ts can require the two reports to be the same JSON. Everything is written
uncompressed, but for one LZ4 file of view columns. cases.json lists every file: its twin, the options of both runs, the Arrow types
focal-eval should see, and which reader its batches should take.

Run with a Python that has pyarrow, polars, pandas and duckdb (the lead's venv: /tmp/venv):

    python scripts/type-fixtures.py

Seeded: running it again writes the same values (the files' bytes may change with the writers'
versions; cases.json records them).
"""

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "types"
BATCH = 16
N = 3 * BATCH
C = 4
# Class names: two short ones (inline in a Utf8View), two longer than 12 bytes (in a data buffer).
NAMES = ["cat", "dog", "a-long-class-name-bird", "fish-named-wanda"]

rng = np.random.default_rng(20240917)
MC_PROBS = rng.dirichlet(np.full(C, 0.7), N).astype(np.float32)
MC_LABELS = [None if i in (5, 22, 40) else int(v) for i, v in enumerate(rng.integers(0, C, N))]
MC64_LOGITS = rng.normal(0.0, 1.5, (N, C))
ML_C = 3
ML_LOGITS = rng.normal(0.0, 2.0, (N, ML_C)).astype(np.float32)
ML_TARGETS = [None if i in (3, 30) else [bool(t) for t in row] for i, row in enumerate(rng.random((N, ML_C)) < 0.3)]
BIN_PROB = rng.random(N)
BIN_LABELS = [None if i == 7 else bool(v) for i, v in enumerate(rng.random(N) < 0.2)]

cases = []


def rows(matrix):
    return [[float(v) for v in row] for row in matrix]


def case(file, plain, types, path, options=None, plain_options=None, writer="pyarrow"):
    cases.append(
        {
            "file": file,
            "plain": plain,
            "writer": writer,
            "types": types,
            "path": path,
            "options": options or {},
            "plainOptions": plain_options if plain_options is not None else (options or {}),
        }
    )


# Writers of pyarrow tables and batches.


def batches_of(table, sizes=None):
    if sizes is None:
        return table.to_batches(max_chunksize=BATCH)
    out, at = [], 0
    for n in sizes:
        out.append(table.slice(at, n).combine_chunks().to_batches()[0] if n else empty_batch(table.schema))
        at += n
    return out


def empty_batch(schema):
    return pa.record_batch([pa.array([], f.type) for f in schema], schema=schema)


def ipc_file(name, table, sizes=None, compression=None):
    options = ipc.IpcWriteOptions(compression=compression)
    with ipc.new_file(OUT / name, table.schema, options=options) as w:
        for b in batches_of(table, sizes):
            w.write_batch(b)


def ipc_stream(name, table, sizes=None):
    options = ipc.IpcWriteOptions(compression=None)
    with ipc.new_stream(OUT / name, table.schema, options=options) as w:
        for b in batches_of(table, sizes):
            w.write_batch(b)


def parquet(name, table, sizes=None):
    # One row group per batch (an empty batch makes an empty row group).
    with pq.ParquetWriter(OUT / name, table.schema, compression="none") as w:
        for b in batches_of(table, sizes):
            w.write_batch(b)


def fsl(matrix, value_type):
    width = matrix.shape[1]
    return pa.FixedSizeListArray.from_arrays(pa.array(np.asarray(matrix).ravel(), value_type), width)


def mc_table(probs=None, label=None):
    return pa.table(
        {
            "probs": probs if probs is not None else fsl(MC_PROBS, pa.float32()),
            "label": label if label is not None else pa.array(MC_LABELS, pa.int32()),
        }
    )


def named_labels():
    return [None if y is None else NAMES[y] for y in MC_LABELS]


def dictionary(index_type, value_type):
    indices = pa.array(MC_LABELS, index_type)
    return pa.DictionaryArray.from_arrays(indices, pa.array(NAMES, value_type))


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    with_names = {"classNames": NAMES}

    # Multiclass probabilities, 4 classes, 3 batches of 16; the plain twin.
    ipc_file("mc_plain.arrow", mc_table())
    f32 = pa.float32()
    ipc_file("mc_list.arrow", mc_table(probs=pa.array(rows(MC_PROBS), pa.list_(f32))))
    case("mc_list.arrow", "mc_plain.arrow", {"probs": "List<Float32>", "label": "Int32"}, "ipc-lean")
    large = mc_table(probs=pa.array(rows(MC_PROBS), pa.large_list(f32)))
    ipc_file("mc_large_list.arrow", large)
    case("mc_large_list.arrow", "mc_plain.arrow", {"probs": "LargeList<Float32>", "label": "Int32"}, "ipc-lean")
    ipc_stream("mc_large_list.arrows", large)
    case("mc_large_list.arrows", "mc_plain.arrow", {"probs": "LargeList<Float32>", "label": "Int32"}, "ipc-body")
    parquet("mc_large_list.parquet", large)
    case("mc_large_list.parquet", "mc_plain.arrow", {"probs": "LargeList<Float32>", "label": "Int32"}, "parquet-lean")

    # Integer labels of every width and signedness.
    for arrow_type, name in [
        (pa.int8(), "Int8"),
        (pa.int16(), "Int16"),
        (pa.int64(), "Int64"),
        (pa.uint8(), "Uint8"),
        (pa.uint16(), "Uint16"),
        (pa.uint32(), "Uint32"),
        (pa.uint64(), "Uint64"),
    ]:
        file = f"mc_{name.lower()}.arrow"
        ipc_file(file, mc_table(label=pa.array(MC_LABELS, arrow_type)))
        case(file, "mc_plain.arrow", {"probs": "FixedSizeList[4]<Float32>", "label": name}, "ipc-lean")

    # String labels: mapped through classNames (plain strings), or by their dictionary.
    for arrow_type, name, path in [
        (pa.string(), "Utf8", "ipc-lean"),
        (pa.large_string(), "LargeUtf8", "ipc-lean"),
        (pa.string_view(), "Utf8View", "ipc-lean"),
    ]:
        file = f"mc_{name.lower()}.arrow"
        ipc_file(file, mc_table(label=pa.array(named_labels(), arrow_type)))
        case(file, "mc_plain.arrow", {"probs": "FixedSizeList[4]<Float32>", "label": name}, path, with_names)
    # Utf8View columns whose strings lie in more than one data buffer per batch (concatenated
    # arrays keep theirs), one of them before the scored columns: the lean reader places the
    # columns after it by each batch's variadic buffer counts.
    half = len(MC_LABELS) // 2
    labels = named_labels()
    split_labels = pa.concat_arrays([pa.array(labels[:half], pa.string_view()), pa.array(labels[half:], pa.string_view())])
    notes = [f"note {i} of a dump, long enough to sit in a data buffer" for i in range(len(MC_LABELS))]
    split_notes = pa.concat_arrays([pa.array(notes[:half], pa.string_view()), pa.array(notes[half:], pa.string_view())])
    buffers_table = pa.table({"note": split_notes, "probs": fsl(MC_PROBS, pa.float32()), "label": split_labels})
    ipc_file("mc_utf8view_buffers.arrow", buffers_table)
    case("mc_utf8view_buffers.arrow", "mc_plain.arrow", {"note": "Utf8View", "probs": "FixedSizeList[4]<Float32>", "label": "Utf8View"}, "ipc-lean", with_names)
    # The same, LZ4-compressed (the one compressed file here): each view data buffer compressed on its own.
    ipc_file("mc_utf8view_buffers.lz4.arrow", buffers_table, compression="lz4")
    case("mc_utf8view_buffers.lz4.arrow", "mc_plain.arrow", {"note": "Utf8View", "probs": "FixedSizeList[4]<Float32>", "label": "Utf8View"}, "ipc-lean", with_names)
    ipc_stream("mc_utf8view.arrows", mc_table(label=pa.array(named_labels(), pa.string_view())))
    case("mc_utf8view.arrows", "mc_plain.arrow", {"probs": "FixedSizeList[4]<Float32>", "label": "Utf8View"}, "columns", with_names)
    for index_type, index_name, value_type, value_name in [
        (pa.int32(), "Int32", pa.string(), "Utf8"),
        (pa.int8(), "Int8", pa.large_string(), "LargeUtf8"),
        (pa.uint16(), "Uint16", pa.string_view(), "Utf8View"),
        (pa.int64(), "Int64", pa.string(), "Utf8"),
        (pa.uint64(), "Uint64", pa.large_string(), "LargeUtf8"),
    ]:
        file = f"mc_dict_{index_name.lower()}_{value_name.lower()}.arrow"
        ipc_file(file, mc_table(label=dictionary(index_type, value_type)))
        types = {"probs": "FixedSizeList[4]<Float32>", "label": f"Dictionary<{index_name}, {value_name}>"}
        # A dictionary is read lean (its strings once, from the file's dictionary batch).
        case(file, "mc_plain.arrow", types, "ipc-lean", {}, with_names)
    parquet("mc_dict_int8_largeutf8.parquet", mc_table(label=dictionary(pa.int8(), pa.large_string())))
    case(
        "mc_dict_int8_largeutf8.parquet",
        "mc_plain.arrow",
        {"probs": "FixedSizeList[4]<Float32>", "label": "Dictionary<Int8, LargeUtf8>"},
        "parquet-lean",
        {},
        with_names,
    )

    # pandas 3: a column of float32 numpy arrays (List<Float32>), str labels (LargeUtf8), categoricals.
    frame = pd.DataFrame(
        {
            "probs": list(MC_PROBS),
            "label": pd.array(named_labels(), dtype="str"),
            "category": pd.Categorical(named_labels(), categories=NAMES),
        }
    )
    frame.to_feather(OUT / "mc_pandas.feather", compression="uncompressed", chunksize=BATCH)
    case("mc_pandas.feather", "mc_plain.arrow", {"probs": "List<Float32>", "label": "LargeUtf8"}, "ipc-lean", with_names, writer="pandas")
    case(
        "mc_pandas.feather",
        "mc_plain.arrow",
        {"probs": "List<Float32>", "category": "Dictionary<Int8, LargeUtf8>"},
        "ipc-lean",
        {"label": "category"},
        with_names,
        writer="pandas",
    )

    # polars: pl.List is a LargeList, pl.String a Utf8View, pl.Enum a Dictionary<Uint8, Utf8View>.
    lf = pl.DataFrame(
        {
            "probs": pl.Series(rows(MC_PROBS), dtype=pl.List(pl.Float32)),
            "label": pl.Series(named_labels(), dtype=pl.String),
            "enum": pl.Series(named_labels(), dtype=pl.Enum(NAMES)),
            "index": pl.Series(MC_LABELS, dtype=pl.Int64),
        }
    )
    lf.write_ipc(OUT / "mc_polars.arrow", compression="uncompressed", record_batch_size=BATCH)
    case("mc_polars.arrow", "mc_plain.arrow", {"probs": "LargeList<Float32>", "label": "Utf8View"}, "ipc-lean", with_names, writer="polars")
    case(
        "mc_polars.arrow",
        "mc_plain.arrow",
        {"probs": "LargeList<Float32>", "enum": "Dictionary<Uint8, Utf8View>"},
        "ipc-lean",
        {"label": "enum"},
        with_names,
        writer="polars",
    )
    lf.select("probs", "index").write_ipc(OUT / "mc_polars_int.arrow", compression="uncompressed", record_batch_size=BATCH)
    case("mc_polars_int.arrow", "mc_plain.arrow", {"probs": "LargeList<Float32>", "index": "Int64"}, "ipc-lean", {"label": "index"}, {}, writer="polars")
    lf.write_parquet(OUT / "mc_polars.parquet", compression="uncompressed", row_group_size=BATCH)
    case(
        "mc_polars.parquet",
        "mc_plain.arrow",
        {"probs": "LargeList<Float32>", "label": "LargeUtf8"},
        "parquet-lean",
        with_names,
        writer="polars",
    )

    # DuckDB: large buffers (LargeList, LargeUtf8), string views, and an ENUM (Dictionary<Uint8, Utf8>).
    con = duckdb.connect()
    con.register("mc", pa.table({"probs": pa.array(rows(MC_PROBS), pa.list_(f32)), "label": pa.array(named_labels())}))
    con.execute("SET arrow_large_buffer_size = true")
    reader = con.execute("SELECT probs, label FROM mc").to_arrow_reader(BATCH)
    ipc_file("mc_duckdb_large.arrow", reader.read_all())
    case("mc_duckdb_large.arrow", "mc_plain.arrow", {"probs": "LargeList<Float32>", "label": "LargeUtf8"}, "ipc-lean", with_names, writer="duckdb")
    con.execute("SET arrow_large_buffer_size = false")
    con.execute("SET arrow_output_version = '1.4'")
    con.execute("SET produce_arrow_string_view = true")
    names = ", ".join(f"'{n}'" for n in NAMES)
    reader = con.execute(f"SELECT probs, label, label::ENUM({names}) AS enum FROM mc").to_arrow_reader(BATCH)
    ipc_file("mc_duckdb_view.arrow", reader.read_all())
    case("mc_duckdb_view.arrow", "mc_plain.arrow", {"probs": "List<Float32>", "label": "Utf8View"}, "ipc-lean", with_names, writer="duckdb")
    case(
        "mc_duckdb_view.arrow",
        "mc_plain.arrow",
        {"probs": "List<Float32>", "enum": "Dictionary<Uint8, Utf8>"},
        "ipc-lean",
        {"label": "enum"},
        with_names,
        writer="duckdb",
    )

    # Multiclass float64 logits (what polars writes by default).
    mc64 = pa.table({"logits": fsl(MC64_LOGITS, pa.float64()), "label": pa.array(MC_LABELS, pa.int32())})
    ipc_file("mc64_plain.arrow", mc64)
    ipc_file("mc64_large_list.arrow", mc64.set_column(0, "logits", pa.array(rows(MC64_LOGITS), pa.large_list(pa.float64()))))
    case("mc64_large_list.arrow", "mc64_plain.arrow", {"logits": "LargeList<Float64>", "label": "Int32"}, "ipc-lean")
    pl.DataFrame(
        {"logits": pl.Series(rows(MC64_LOGITS), dtype=pl.List(pl.Float64)), "label": pl.Series(MC_LABELS, dtype=pl.Int64)}
    ).write_ipc(OUT / "mc64_polars.arrow", compression="uncompressed", record_batch_size=BATCH)
    case("mc64_polars.arrow", "mc64_plain.arrow", {"logits": "LargeList<Float64>", "label": "Int64"}, "ipc-lean", writer="polars")

    # Multilabel logits, 3 classes; LargeList<Bool> targets must be read as multilabel.
    ml = pa.table(
        {
            "logits": fsl(ML_LOGITS, f32),
            "label": pa.array(ML_TARGETS, pa.list_(pa.bool_(), ML_C)),
        }
    )
    ipc_file("ml_plain.arrow", ml)
    ml_large = pa.table(
        {"logits": pa.array(rows(ML_LOGITS), pa.large_list(f32)), "label": pa.array(ML_TARGETS, pa.large_list(pa.bool_()))}
    )
    ipc_file("ml_large_list.arrow", ml_large)
    case("ml_large_list.arrow", "ml_plain.arrow", {"logits": "LargeList<Float32>", "label": "LargeList<Bool>"}, "ipc-lean")
    parquet("ml_large_list.parquet", ml_large)
    case("ml_large_list.parquet", "ml_plain.arrow", {"logits": "LargeList<Float32>", "label": "LargeList<Bool>"}, "parquet-lean")
    int_targets = [None if t is None else [int(v) for v in t] for t in ML_TARGETS]
    ipc_file("ml_large_list_int64.arrow", ml_large.set_column(1, "label", pa.array(int_targets, pa.large_list(pa.int64()))))
    case("ml_large_list_int64.arrow", "ml_plain.arrow", {"logits": "LargeList<Float32>", "label": "LargeList<Int64>"}, "ipc-lean")
    ipc_stream("ml_large_list_uint8.arrows", ml_large.set_column(1, "label", pa.array(int_targets, pa.large_list(pa.uint8()))))
    case("ml_large_list_uint8.arrows", "ml_plain.arrow", {"logits": "LargeList<Float32>", "label": "LargeList<Uint8>"}, "ipc-body")
    pl.DataFrame(
        {
            "logits": pl.Series(rows(ML_LOGITS), dtype=pl.List(pl.Float32)),
            "label": pl.Series(ML_TARGETS, dtype=pl.List(pl.Boolean)),
        }
    ).write_ipc(OUT / "ml_polars.arrow", compression="uncompressed", record_batch_size=BATCH)
    case("ml_polars.arrow", "ml_plain.arrow", {"logits": "LargeList<Float32>", "label": "LargeList<Bool>"}, "ipc-lean", writer="polars")

    # Binary: polars' Float64 and Boolean.
    ipc_file("bin_plain.arrow", pa.table({"prob": pa.array(BIN_PROB, pa.float64()), "label": pa.array(BIN_LABELS, pa.bool_())}))
    pl.DataFrame({"prob": BIN_PROB, "label": pl.Series(BIN_LABELS, dtype=pl.Boolean)}).write_ipc(
        OUT / "bin_polars.arrow", compression="uncompressed", record_batch_size=BATCH
    )
    case("bin_polars.arrow", "bin_plain.arrow", {"prob": "Float64", "label": "Bool"}, "ipc-lean", writer="polars")

    # A List whose first batch has no rows and whose second has only null rows (null labels too):
    # its width comes from the third batch.
    sizes = [0, 4, BATCH, BATCH]
    n = sum(sizes)
    null_rows = set(range(0, 4))
    ef_probs = [None if i in null_rows else [float(v) for v in MC_PROBS[i]] for i in range(n)]
    ef_labels = [None if i in null_rows else MC_LABELS[i] for i in range(n)]
    ef_fsl = pa.array(ef_probs, pa.list_(f32, C))
    ipc_file("mc_empty_first_plain.arrow", pa.table({"probs": ef_fsl, "label": pa.array(ef_labels, pa.int32())}), sizes)
    ef_list = pa.table({"probs": pa.array(ef_probs, pa.list_(f32)), "label": pa.array(ef_labels, pa.int32())})
    ef_large = pa.table({"probs": pa.array(ef_probs, pa.large_list(f32)), "label": pa.array(ef_labels, pa.int32())})
    ipc_file("mc_empty_first_list.arrow", ef_list, sizes)
    case("mc_empty_first_list.arrow", "mc_empty_first_plain.arrow", {"probs": "List<Float32>", "label": "Int32"}, "ipc-lean")
    ipc_stream("mc_empty_first_large_list.arrows", ef_large, sizes)
    case("mc_empty_first_large_list.arrows", "mc_empty_first_plain.arrow", {"probs": "LargeList<Float32>", "label": "Int32"}, "ipc-body")
    parquet("mc_empty_first_large_list.parquet", ef_large, sizes)
    case("mc_empty_first_large_list.parquet", "mc_empty_first_plain.arrow", {"probs": "LargeList<Float32>", "label": "Int32"}, "parquet-lean")

    # Columns the scorer skips, before the scored ones, of types apache-arrow does not read
    # (RunEndEncoded, ListView, LargeListView, polars' Int128): the lean reader steps over them,
    # for the List's width too.
    ree = pa.RunEndEncodedArray.from_arrays(pa.array([N // 2, N], pa.int32()), pa.array([7, 8], pa.int64()))
    listed = pa.array(rows(MC_PROBS), pa.list_(f32))
    skipped = pa.table(
        {
            "runs": ree,
            "view": pa.array([[float(i)] * (i % 3) for i in range(N)], pa.list_view(pa.float64())),
            "large_view": pa.array([[i] for i in range(N)], pa.large_list_view(pa.int64())),
            "probs": listed,
            "label": pa.array(MC_LABELS, pa.int32()),
        }
    )
    ipc_file("mc_skipped_types.arrow", skipped)
    types = {"runs": "RunEndEncoded", "view": "ListView<Float64>", "large_view": "LargeListView<Int64>", "probs": "List<Float32>", "label": "Int32"}
    case("mc_skipped_types.arrow", "mc_plain.arrow", types, "ipc-lean")
    pl.DataFrame(
        {
            "wide": pl.Series(range(N), dtype=pl.Int128),
            "probs": pl.Series(rows(MC_PROBS), dtype=pl.List(pl.Float32)),
            "label": pl.Series(MC_LABELS, dtype=pl.Int64),
        }
    ).write_ipc(OUT / "mc_polars_int128.arrow", compression="uncompressed", record_batch_size=BATCH)
    case("mc_polars_int128.arrow", "mc_plain.arrow", {"wide": "Int128", "probs": "LargeList<Float32>", "label": "Int64"}, "ipc-lean", writer="polars")

    # A dictionary label beside a column apache-arrow cannot read: read lean, the strings from the
    # file's dictionary batch.
    skipped_dict = pa.table({"runs": ree, "probs": listed, "label": dictionary(pa.int8(), pa.string())})
    ipc_file("mc_skipped_dict.arrow", skipped_dict)
    types = {"runs": "RunEndEncoded", "probs": "List<Float32>", "label": "Dictionary<Int8, Utf8>"}
    case("mc_skipped_dict.arrow", "mc_plain.arrow", types, "ipc-lean", {}, with_names)
    # A file whose label dictionary grows by a delta between batches: apache-arrow reads it (the
    # first batch's dictionary is not the last's); class names given, so every string maps.
    grown = pa.schema([("probs", pa.list_(f32)), ("label", pa.dictionary(pa.int8(), pa.string()))])
    options = ipc.IpcWriteOptions(compression=None, emit_dictionary_deltas=True)
    # Batch 0 holds classes 0 and 1 only, batch 1 adds class 2, batch 2 class 3.
    codes = [None if y is None else min(y, 1 + at // BATCH) for at, y in enumerate(MC_LABELS)]
    ipc_file("mc_delta_plain.arrow", mc_table(label=pa.array(codes, pa.int32())))
    with ipc.new_file(OUT / "mc_dict_delta_file.arrow", grown, options=options) as w:
        for at in range(0, N, BATCH):
            part = codes[at : at + BATCH]
            # Strings in order of first appearance up to this batch: the dictionary only grows.
            seen = []
            for c in codes[: at + BATCH]:
                if c is not None and NAMES[c] not in seen:
                    seen.append(NAMES[c])
            indices = pa.array([None if c is None else seen.index(NAMES[c]) for c in part], pa.int8())
            label = pa.DictionaryArray.from_arrays(indices, pa.array(seen))
            w.write_batch(pa.record_batch([listed.slice(at, BATCH), label], schema=grown))
    case("mc_dict_delta_file.arrow", "mc_delta_plain.arrow", {"probs": "List<Float32>", "label": "Dictionary<Int8, Utf8>"}, "ipc-file", with_names, with_names)

    # A union before the scored columns (so apache-arrow must read the batches) and a ListView,
    # which apache-arrow cannot read: a clear error naming the column (types.test.ts).
    union = pa.UnionArray.from_sparse(pa.array([0] * N, pa.int8()), [pa.array(range(N), pa.int64()), pa.array(["x"] * N)])
    unreadable = pa.table({"either": union, "view": pa.array([[1.0]] * N, pa.list_view(pa.float64())), "probs": fsl(MC_PROBS, f32), "label": pa.array(MC_LABELS, pa.int32())})
    ipc_file("unreadable_by_arrow.arrow", unreadable)

    # A stream with dictionary batches of a column not scored, its dictionary growing by deltas
    # between record batches: the lean stream reader steps over them.
    tags = pa.DictionaryArray.from_arrays(pa.array([i // 4 for i in range(N)], pa.int16()), pa.array([f"tag{i}" for i in range(N // 4)]))
    tagged = pa.table({"tag": tags, "probs": listed, "label": pa.array(MC_LABELS, pa.int32())})
    options = ipc.IpcWriteOptions(compression=None, emit_dictionary_deltas=True)
    with ipc.new_stream(OUT / "mc_dict_deltas.arrows", tagged.schema, options=options) as w:
        for at in range(0, N, BATCH):
            # Each batch's dictionary holds only the tags up to its last row: the next adds a delta.
            batch = tagged.slice(at, BATCH)
            used = (at + BATCH) // 4
            tag = pa.DictionaryArray.from_arrays(batch.column("tag").combine_chunks().indices, tags.dictionary.slice(0, used))
            w.write_batch(pa.record_batch([tag, batch.column("probs").combine_chunks(), batch.column("label").combine_chunks()], names=tagged.schema.names))
    case("mc_dict_deltas.arrows", "mc_plain.arrow", {"tag": "Dictionary<Int16, Utf8>", "probs": "List<Float32>", "label": "Int32"}, "ipc-body")

    # 64-bit labels out of range: beyond C, beyond 2^53 (no float64 holds 2^53 + 1), and the extremes.
    head = fsl(MC_PROBS[:8], f32)
    for file, values, arrow_type in [
        ("label_int64_beyond_c.arrow", [0, 1, 4, 2**53 + 1, 3, -(2**63), 2, 1], pa.int64()),
        ("label_int64_beyond_2p53.arrow", [0, 1, 2, 2**53 + 1, 3, 4, -(2**63), 1], pa.int64()),
        ("label_uint64_max.arrow", [0, 2**64 - 1, 2, 3, 1, 0, 2, 1], pa.uint64()),
    ]:
        ipc_file(file, pa.table({"probs": head, "label": pa.array(values, arrow_type)}))

    versions = {"pyarrow": pa.__version__, "polars": pl.__version__, "pandas": pd.__version__, "duckdb": duckdb.__version__}
    manifest = {"writers": versions, "classNames": NAMES, "cases": cases}
    (OUT / "cases.json").write_text(json.dumps(manifest, indent=2) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(list(OUT.iterdir()))} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
