#!/usr/bin/env python3
"""
Regenerates test/fixtures/writers/: prediction dumps written by the writers focal-eval's users
use (pyarrow, pandas, polars, DuckDB) with their defaults and common options, and manifest.json,
which says for every file how it was written, what it holds, what focal-eval needs to read it,
and, per logical dataset, the report values computed here in float64 straight from the spec's
formulas (/work/shared/spec.md section 2), apart from the TypeScript code. test/writers.test.ts
checks focal-eval against them.

The project never runs this at build, run or test time: it only regenerates the committed files.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pyarrow polars duckdb pandas numpy
    /tmp/venv/bin/python scripts/writer-fixtures.py

Every dataset is deterministic from SEED (numpy's default_rng). Predictions are generated as
float32 values; a Float64 column holds those same values widened, so that every file of a dataset
holds the same numbers whatever its storage type, and the reference uses the values as stored.
"""
from __future__ import annotations

import base64
import json
import math
import platform
import shutil
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

SEED = 20_250_601
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test" / "fixtures" / "writers"

# The report parameters of the expected values (the spec's defaults): gamma 2, no alpha.
GAMMA = 2.0
EPSILON = 1e-7
EASY = 0.5
IGNORE_INDEX = -100

VERSIONS = {
    "python": platform.python_version(),
    "numpy": np.__version__,
    "pyarrow": pa.__version__,
    "pandas": pd.__version__,
    "polars": pl.__version__,
    "duckdb": duckdb.__version__,
}


# ----------------------------------------------------------------------------------------------
# Datasets
# ----------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """One logical prediction table; every file of the dataset holds these rows, in this order."""

    name: str
    mode: str  # binary | multiclass | multilabel
    input: str  # probs | logits
    pred_column: str
    classes: int  # C (2 in binary)
    pred: np.ndarray  # float32: (n,) in binary, (n, C) otherwise
    pred_valid: np.ndarray  # bool (n,): False = a null prediction (only on ignored rows)
    label: np.ndarray  # int64 (n,): class index, 0/1, or -100; (n, C) 0/1 targets in multilabel
    label_valid: np.ndarray  # bool (n,): False = a null label (null target list in multilabel)
    class_names: list[str] | None = None  # string labels: the class of each name
    batches: list[int] = field(default_factory=list)  # uneven batch sizes, an empty one among them

    @property
    def n(self) -> int:
        return len(self.label_valid)

    def label_strings(self) -> list[str | None]:
        assert self.class_names is not None
        return [self.class_names[int(y)] if ok else None for y, ok in zip(self.label, self.label_valid)]

    def pred_rows(self) -> list[list[float] | None]:
        """Predictions as Python lists of the float32 values (exact as float64), None for a null row."""
        return [[float(v) for v in row] if ok else None for row, ok in zip(self.pred, self.pred_valid)]

    def pred_scalars(self) -> list[float | None]:
        return [float(v) if ok else None for v, ok in zip(self.pred, self.pred_valid)]

    def label_ints(self) -> list[int | None]:
        return [int(y) if ok else None for y, ok in zip(self.label, self.label_valid)]

    def target_rows(self) -> list[list[int] | None]:
        return [[int(v) for v in row] if ok else None for row, ok in zip(self.label, self.label_valid)]


def f32(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).astype(np.float32)


def softmax64(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def null_rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """A mask with k distinct rows set, none in the first 10 rows (the first batch keeps a known width)."""
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(np.arange(10, n), size=k, replace=False)] = True
    return mask


def make_datasets() -> dict[str, Dataset]:
    rng = np.random.default_rng(SEED)
    out: dict[str, Dataset] = {}

    # Binary probabilities: an imbalanced 0/1 label, probabilities with some signal, a few exact 0s
    # and 1s (the clamp to [eps, 1 - eps]) on both outcomes, and a few null labels.
    n = 1_600
    y = (rng.random(n) < 0.2).astype(np.int64)
    z = rng.normal(0, 1.5, n) + np.where(y == 1, 1.5, -1.5)
    p = f32(1 / (1 + np.exp(-z)))
    p[[3, 4, 5, 6]] = [0.0, 1.0, 0.0, 1.0]
    y[[3, 4, 5, 6]] = [0, 1, 1, 0]
    out["bin-probs"] = Dataset(
        "bin-probs", "binary", "probs", "probs", 2, p, np.ones(n, bool), y, ~null_rows(rng, n, 17),
        batches=[600, 0, 433, 1, 566],
    )

    # Binary logits, a bool label in the reference file.
    n = 1_600
    y = (rng.random(n) < 0.3).astype(np.int64)
    z = f32(rng.normal(0, 2.0, n) + np.where(y == 1, 1.0, -1.2))
    z[[7, 8]] = [25.0, -25.0]
    out["bin-logits"] = Dataset(
        "bin-logits", "binary", "logits", "logit", 2, z, np.ones(n, bool), y, ~null_rows(rng, n, 11),
        batches=[1024, 0, 313, 263],
    )

    # Multiclass probabilities, C = 5, integer labels; a few true-class probabilities of exactly
    # 0 and 1 (one-hot rows) for the clamp.
    C, n = 5, 1_200
    prior = np.array([0.55, 0.2, 0.12, 0.08, 0.05])
    y = rng.choice(C, size=n, p=prior).astype(np.int64)
    logits = rng.normal(0, 1.0, (n, C))
    logits[np.arange(n), y] += rng.normal(1.8, 1.2, n)
    probs = f32(softmax64(logits))
    probs[10] = [1, 0, 0, 0, 0]
    y[10] = 0
    probs[11] = [0, 1, 0, 0, 0]
    y[11] = 0
    probs[12] = [0.25, 0.25, 0.5, 0, 0]
    y[12] = 4
    out["mc-probs"] = Dataset(
        "mc-probs", "multiclass", "probs", "probs", C, probs, np.ones(n, bool), y, ~null_rows(rng, n, 13),
        batches=[500, 0, 311, 1, 388],
    )

    # Multiclass logits, C = 5: null labels (some of them with a null prediction, which an ignored
    # row may hold) and labels equal to ignoreIndex (-100); a few large logits.
    C, n = 5, 1_200
    y = rng.choice(C, size=n, p=[0.3, 0.3, 0.2, 0.1, 0.1]).astype(np.int64)
    logits = rng.normal(0, 1.5, (n, C))
    logits[np.arange(n), y] += rng.normal(1.0, 1.5, n)
    logits[13] = [30, -30, 0, 1, 2]
    logits[14] = [-20, 20, 0, 0, 0]
    logits = f32(logits)
    label_valid = ~null_rows(rng, n, 9)
    pred_valid = np.ones(n, bool)
    pred_valid[np.flatnonzero(~label_valid)[:3]] = False
    y[rng.choice(np.flatnonzero(label_valid & (np.arange(n) >= 10)), size=6, replace=False)] = IGNORE_INDEX
    out["mc-logits"] = Dataset(
        "mc-logits", "multiclass", "logits", "logits", C, logits, pred_valid, y, label_valid,
        batches=[400, 0, 257, 543],
    )

    # Multiclass probabilities with string labels naming the classes (spec: mapped by name).
    C, n = 5, 1_200
    names = ["cat", "dog", "bird", "fish", "horse"]
    y = rng.choice(C, size=n, p=[0.4, 0.25, 0.15, 0.12, 0.08]).astype(np.int64)
    logits = rng.normal(0, 1.0, (n, C))
    logits[np.arange(n), y] += rng.normal(1.5, 1.0, n)
    out["mc-names"] = Dataset(
        "mc-names", "multiclass", "probs", "probs", C, f32(softmax64(logits)), np.ones(n, bool), y,
        ~null_rows(rng, n, 10), class_names=names, batches=[500, 0, 1, 299, 400],
    )

    # Multilabel logits, C = 4, 0/1 targets as a list; a few null target lists (ignored rows).
    C, n = 4, 1_200
    rates = np.array([0.5, 0.2, 0.05, 0.3])
    t = (rng.random((n, C)) < rates).astype(np.int64)
    z = f32(rng.normal(0, 1.5, (n, C)) + np.where(t == 1, 1.2, -1.2))
    out["ml-logits"] = Dataset(
        "ml-logits", "multilabel", "logits", "logits", C, z, np.ones(n, bool), t, ~null_rows(rng, n, 8),
        batches=[512, 0, 400, 288],
    )
    for ds in out.values():
        assert sum(ds.batches) == ds.n, ds.name
    return out


# ----------------------------------------------------------------------------------------------
# The float64 reference (spec section 2), independent of focal-eval's code
# ----------------------------------------------------------------------------------------------


def softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def units_of(ds: Dataset) -> dict[str, np.ndarray]:
    """Every scored unit's log p_t, group and outcome; rows ignored and the row count."""
    # Ignored rows: a null label (multilabel: a null target list), or a label equal to ignoreIndex.
    # An ignored row is not looked at further (its prediction may be null).
    scored = ds.label_valid.copy() if ds.mode == "multilabel" else ds.label_valid & (ds.label != IGNORE_INDEX)
    pred = ds.pred.astype(np.float64)[scored]  # the float32 values as stored, widened
    label = ds.label[scored]
    if ds.mode == "multilabel":
        z, t = pred.reshape(-1), label.reshape(-1)
        group = np.tile(np.arange(ds.classes), int(scored.sum()))
        outcome = t
        log_pt = np.where(t == 1, -softplus(-z), -softplus(z))
        pt = None
    elif ds.mode == "binary":
        group, outcome = label, label
        if ds.input == "probs":
            pt = np.clip(np.where(label == 1, pred, 1 - pred), EPSILON, 1 - EPSILON)
            log_pt = None
        else:
            log_pt = np.where(label == 1, -softplus(-pred), -softplus(pred))
            pt = None
    else:
        group, outcome = label, label
        rows = np.arange(len(label))
        if ds.input == "probs":
            pt = np.clip(pred[rows, label], EPSILON, 1 - EPSILON)
            log_pt = None
        else:
            m = pred.max(axis=1)
            lse = m + np.log(np.exp(pred - m[:, None]).sum(axis=1))
            log_pt = pred[rows, label] - lse
            pt = None
    if pt is not None:  # probabilities: clamped p_t
        ce = -np.log(pt)
        one_minus = 1 - pt
    else:  # logits: log p_t stably, never through a clamp
        pt = np.exp(log_pt)
        ce = -log_pt
        one_minus = -np.expm1(log_pt)
    fl = one_minus**GAMMA * ce
    return {
        "pt": pt, "ce": ce, "fl": fl, "group": np.asarray(group), "outcome": np.asarray(outcome),
        "rows": ds.n, "scoredRows": int(scored.sum()), "ignored": int(ds.n - scored.sum()),
    }


def stats(u: dict[str, np.ndarray], where: np.ndarray) -> dict:
    def block(mask: np.ndarray) -> dict:
        return {
            "count": int(mask.sum()),
            "sumCE": math.fsum(u["ce"][mask]),
            "sumFL": math.fsum(u["fl"][mask]),
        }

    easy = where & (u["pt"] >= EASY)
    return {**block(where), "easy": block(easy)}


def expected_report(ds: Dataset) -> dict:
    u = units_of(ds)
    every = np.ones(len(u["pt"]), dtype=bool)
    classes = []
    for c in range(ds.classes):
        in_c = u["group"] == c
        entry = {"index": c, **stats(u, in_c)}
        if ds.mode == "multilabel":
            entry["positive"] = stats(u, in_c & (u["outcome"] == 1))
            entry["negative"] = stats(u, in_c & (u["outcome"] == 0))
        classes.append(entry)
    return {
        "rows": u["rows"],
        "scored": int(len(u["pt"])),
        "ignored": u["ignored"],
        "invalid": 0,
        "total": stats(u, every),
        "classes": classes,
    }


# ----------------------------------------------------------------------------------------------
# Arrow columns of a dataset
# ----------------------------------------------------------------------------------------------


def pred_array(ds: Dataset, kind: str) -> pa.Array:
    """The prediction column: f32 / f64 scalars, or fsl / list / large_list of f32 / f64."""
    if ds.mode == "binary":
        return pa.array(ds.pred_scalars(), type={"f32": pa.float32(), "f64": pa.float64()}[kind])
    shape, _, width = kind.partition("-")
    item = {"f32": pa.float32(), "f64": pa.float64()}[width or "f32"]
    t = {
        "fsl": pa.list_(item, ds.classes),
        "list": pa.list_(item),
        "large_list": pa.large_list(item),
    }[shape]
    return pa.array(ds.pred_rows(), type=t)


def label_array(ds: Dataset, kind: str) -> pa.Array:
    """The label column: integers, bools, strings, dictionaries; target lists in multilabel."""
    if ds.mode == "multilabel":
        shape, _, item = kind.partition("-")
        it = {"int8": pa.int8(), "uint8": pa.uint8(), "bool": pa.bool_(), "int64": pa.int64()}[item]
        rows = ds.target_rows()
        if item == "bool":
            rows = [[bool(v) for v in r] if r is not None else None for r in rows]
        t = {"fsl": pa.list_(it, ds.classes), "list": pa.list_(it), "large_list": pa.large_list(it)}[shape]
        return pa.array(rows, type=t)
    if kind in ("string", "large_string", "string_view"):
        return pa.array(ds.label_strings(), type=getattr(pa, kind)())
    if kind.startswith("dict"):
        # One dictionary for every batch, in class order: dictionary index = class index.
        values = {"dict": pa.string(), "dict-large_string": pa.large_string(), "dict-string_view": pa.string_view()}[kind]
        idx = [int(y) if ok else None for y, ok in zip(ds.label, ds.label_valid)]
        return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(ds.class_names, values))
    if kind == "bool":
        return pa.array([bool(v) if v is not None else None for v in ds.label_ints()], pa.bool_())
    return pa.array(ds.label_ints(), type=getattr(pa, kind)())


def arrow_table(ds: Dataset, pred: str, label: str) -> pa.Table:
    return pa.table({
        "id": pa.array(np.arange(ds.n, dtype=np.int32)),
        ds.pred_column: pred_array(ds, pred),
        "label": label_array(ds, label),
    })


def split(table: pa.Table, sizes: list[int]) -> list[pa.RecordBatch]:
    """The table as record batches of these sizes (empty ones included), sharing one dictionary."""
    whole = table.combine_chunks().to_batches()[0]
    out, at = [], 0
    for size in sizes:
        out.append(whole.slice(at, size))
        at += size
    assert at == table.num_rows
    return out


# ----------------------------------------------------------------------------------------------
# What was written: types, codec, batches, as read back
# ----------------------------------------------------------------------------------------------


class FlatBuffer:
    """Just enough flatbuffer reading to find an IPC message's body compression."""

    def __init__(self, buf: bytes):
        self.buf = buf

    def u32(self, at: int) -> int:
        return struct.unpack_from("<I", self.buf, at)[0]

    def root(self) -> int:
        return self.u32(0)

    def field(self, table: int, slot: int) -> int | None:
        vtable = table - struct.unpack_from("<i", self.buf, table)[0]
        vsize = struct.unpack_from("<H", self.buf, vtable)[0]
        if 4 + 2 * slot >= vsize:
            return None
        off = struct.unpack_from("<H", self.buf, vtable + 4 + 2 * slot)[0]
        return table + off if off else None

    def table(self, table: int, slot: int) -> int | None:
        at = self.field(table, slot)
        return at + self.u32(at) if at is not None else None

    def u8(self, table: int, slot: int, default: int = 0) -> int:
        at = self.field(table, slot)
        return self.buf[at] if at is not None else default


CODECS = {0: "lz4", 1: "zstd"}


def message_codec(metadata: bytes) -> str | None:
    """The body compression of a RecordBatch or DictionaryBatch message (Message.fbs)."""
    fb = FlatBuffer(metadata)
    msg = fb.root()
    header_type = fb.u8(msg, 1)
    header = fb.table(msg, 2)
    if header is None or header_type not in (2, 3):
        return None
    batch = fb.table(header, 1) if header_type == 2 else header
    if batch is None:
        return None
    compression = fb.table(batch, 3)
    return CODECS[fb.u8(compression, 0)] if compression is not None else None


def ipc_codecs(path: Path) -> set[str]:
    """The body compression codecs of an IPC file's (from its footer's blocks) or stream's messages."""
    data = path.read_bytes()
    codecs = set()
    if data[:6] == b"ARROW1":
        (footer_length,) = struct.unpack_from("<i", data, len(data) - 10)
        fb = FlatBuffer(data[len(data) - 10 - footer_length : len(data) - 10])
        footer = fb.root()
        for slot in (2, 3):  # Footer: 2 dictionaries, 3 recordBatches (vectors of 24-byte Blocks)
            at = fb.field(footer, slot)
            if at is None:
                continue
            vector = at + fb.u32(at)
            for i in range(fb.u32(vector)):
                (offset,) = struct.unpack_from("<q", fb.buf, vector + 4 + 24 * i)
                (length,) = struct.unpack_from("<i", data, offset)
                start = offset + 4
                if length == -1:  # the continuation marker, then the length
                    (length,) = struct.unpack_from("<i", data, offset + 4)
                    start = offset + 8
                codec = message_codec(data[start : start + length])
                if codec:
                    codecs.add(codec)
        return codecs
    for message in ipc.MessageReader.open_stream(pa.BufferReader(pa.py_buffer(data))):
        codec = message_codec(message.metadata.to_pybytes())
        if codec:
            codecs.add(codec)
    return codecs


def read_back(path: Path, ds: Dataset) -> dict:
    """The pred and label types as pyarrow reads them, the codec, and the rows of each batch."""
    if path.suffix == ".parquet":
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
        md = pf.metadata
        codecs = {md.row_group(i).column(j).compression.lower() for i in range(md.num_row_groups) for j in range(md.num_columns)}
        batches = [md.row_group(i).num_rows for i in range(md.num_row_groups)]
        codec = ",".join(sorted(codecs))
        try:
            table = pf.read()
        except pa.ArrowInvalid as error:
            # pyarrow cannot read back a FixedSizeList with null rows that it wrote to Parquet
            # itself; DuckDB reads the rows back for the check instead.
            table = duckdb.sql(f"SELECT * FROM '{path}'").to_arrow_table()
            return {**described(schema, ds, codec, batches, table, path), **stored_types(pf, ds),
                    "readBack": f"duckdb (pyarrow: {error})"}
    else:
        if path.suffix == ".arrows":
            reader = ipc.open_stream(path.read_bytes())
            parts = list(reader)
            schema = reader.schema
        else:
            reader = ipc.open_file(path)
            parts = [reader.get_batch(i) for i in range(reader.num_record_batches)]
            schema = reader.schema
        batches = [b.num_rows for b in parts]
        table = pa.Table.from_batches(parts, schema=schema)
        codecs = ipc_codecs(path)
        assert len(codecs) <= 1, codecs
        codec = next(iter(codecs)) if codecs else None
    info = described(schema, ds, codec, batches, table, path)
    return {**info, **stored_types(pf, ds)} if path.suffix == ".parquet" else info


def stored_types(pf: pq.ParquetFile, ds: Dataset) -> dict:
    """The pred and label types of the Arrow schema a writer stored in a Parquet file (ARROW:schema).

    pyarrow reads a dictionary column back with plain string values whatever was stored; readers
    that restore the stored type (arrow-rs, under parquet-wasm) give e.g. Dictionary<Int8, LargeUtf8>.
    """
    stored = (pf.metadata.metadata or {}).get(b"ARROW:schema")
    if stored is None:
        return {}
    schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(stored)))
    return {"storedTypes": {"pred": str(schema.field(ds.pred_column).type), "label": str(schema.field("label").type)}}


def described(schema: pa.Schema, ds: Dataset, codec: str | None, batches: list[int], table: pa.Table, path: Path) -> dict:
    check_rows(table, ds, path.name)
    return {
        "format": "parquet" if path.suffix == ".parquet" else "ipc",
        "types": {"pred": str(schema.field(ds.pred_column).type), "label": str(schema.field("label").type)},
        "codec": codec,
        "batches": batches,
    }


def check_rows(table: pa.Table, ds: Dataset, name: str) -> None:
    """The writer kept the dataset's rows, in order: ids, predictions and labels as generated."""
    ids = table.column("id").to_pylist()
    assert ids == list(range(ds.n)), f"{name}: rows reordered or lost"
    pred = table.column(ds.pred_column).to_pylist()
    want = ds.pred_scalars() if ds.mode == "binary" else ds.pred_rows()
    assert pred == want, f"{name}: predictions differ"
    labels = table.column("label").to_pylist()
    if ds.mode == "multilabel":
        got = [[int(v) for v in r] if r is not None else None for r in labels]
        assert got == ds.target_rows(), f"{name}: targets differ"
    elif ds.class_names is not None:
        assert labels == ds.label_strings(), f"{name}: labels differ"
    else:
        got = [int(v) if v is not None else None for v in labels]
        assert got == ds.label_ints(), f"{name}: labels differ"


# The features beyond what focal-eval read when these files were made (test/writers.test.ts's
# SUPPORTED lists what it reads now), from the types and codec of each file. The rules were
# checked against `node bin/focal-eval.js score FILE --format json` on every file: exactly the
# files with needs failed. Int64 and unsigned labels and bool targets were read already, and
# every Parquet codec written here (snappy, zstd, gzip, lz4, brotli, none).
def needs_of(info: dict, ds: Dataset, *, list_width_later: bool = False) -> list[str]:
    # For Parquet, the types the writer stored (ARROW:schema) are the ones a reader restores.
    types = info.get("storedTypes", info["types"])
    pred, label, codec = types["pred"], types["label"], info["codec"]
    needs = []
    if info["format"] == "ipc" and codec in ("lz4", "zstd"):
        needs.append(codec)
    if pred.startswith("large_list") or (ds.mode == "multilabel" and label.startswith("large_list")):
        needs.append("large_list")
    if label == "large_string":
        needs.append("large_utf8")
    if label == "string_view":
        needs.append("utf8_view")
    if label.startswith("dictionary<values=large_string"):
        needs.append("dict_large_utf8")
    if label.startswith("dictionary<values=string_view"):
        needs.append("dict_utf8_view")
    if list_width_later:
        needs.append("list_width_later_batch")
    return needs


# ----------------------------------------------------------------------------------------------
# The writers
# ----------------------------------------------------------------------------------------------


@dataclass
class Entry:
    file: str
    writer: str
    api: str
    options: dict
    dataset: str
    evaluate: dict = field(default_factory=dict)
    list_width_later: bool = False
    note: str | None = None


ENTRIES: list[Entry] = []


def evaluate_options(ds: Dataset, *, names_from_dictionary: bool = False) -> dict:
    """The focal-eval options a file needs: classNames for string labels (unless the dictionary says)."""
    if ds.class_names is not None and not names_from_dictionary:
        return {"classNames": ds.class_names}
    return {}


def write_pyarrow(ds: dict[str, Dataset]) -> None:
    W = "pyarrow"

    def ipc_file(name: str, d: Dataset, pred: str, label: str, *, sizes=None, options=None, note=None, **ev):
        table = arrow_table(d, pred, label)
        sizes = sizes or d.batches
        with ipc.new_file(OUT / name, table.schema, options=ipc.IpcWriteOptions(**(options or {}))) as w:
            for b in split(table, sizes):
                w.write_batch(b)
        written = {"pred": pred, "label": label, "batches": sizes, **(options or {})}
        later = sizes[0] == 0 and pred.startswith("list")  # a List's width not in the first batch
        ENTRIES.append(Entry(name, W, "pyarrow.ipc.new_file", written, d.name, evaluate_options(d, **ev), note=note, list_width_later=later))

    def ipc_stream(name: str, d: Dataset, pred: str, label: str, *, options=None, **ev):
        table = arrow_table(d, pred, label)
        with ipc.new_stream(OUT / name, table.schema, options=ipc.IpcWriteOptions(**(options or {}))) as w:
            for b in split(table, d.batches):
                w.write_batch(b)
        written = {"pred": pred, "label": label, "batches": d.batches, **(options or {})}
        ENTRIES.append(Entry(name, W, "pyarrow.ipc.new_stream", written, d.name, evaluate_options(d, **ev)))

    # The plain reference of every dataset: uncompressed IPC file, FixedSizeList<Float32>, int32
    # (bool for bin-logits, utf8 for mc-names, FixedSizeList<Int8> targets), uneven batches
    # with an empty one.
    ipc_file("pyarrow-ipc-file-bin-probs.arrow", ds["bin-probs"], "f32", "int32")
    ipc_file("pyarrow-ipc-file-bin-logits.arrow", ds["bin-logits"], "f32", "bool")
    ipc_file("pyarrow-ipc-file-mc-probs.arrow", ds["mc-probs"], "fsl", "int32")
    ipc_file("pyarrow-ipc-file-mc-logits.arrow", ds["mc-logits"], "fsl", "int32")
    ipc_file("pyarrow-ipc-file-mc-names.arrow", ds["mc-names"], "fsl", "string")
    ipc_file("pyarrow-ipc-file-ml-logits.arrow", ds["ml-logits"], "fsl", "fsl-int8")

    # Other column types.
    ipc_file("pyarrow-ipc-file-fsl-f64-mc-probs.arrow", ds["mc-probs"], "fsl-f64", "int32")
    ipc_file("pyarrow-ipc-file-f64-bin-logits.arrow", ds["bin-logits"], "f64", "int8")
    ipc_file("pyarrow-ipc-file-list-f64-mc-logits.arrow", ds["mc-logits"], "list-f64", "int32")
    ipc_file("pyarrow-ipc-file-list-empty-first-mc-probs.arrow", ds["mc-probs"], "list", "int32",
             sizes=[0, 500, 311, 1, 388], note="the first batch is empty: a List's width is known only from a later batch")
    ipc_file("pyarrow-ipc-file-large-list-mc-probs.arrow", ds["mc-probs"], "large_list", "int32")
    ipc_file("pyarrow-ipc-file-int64-label-bin-probs.arrow", ds["bin-probs"], "f32", "int64")
    ipc_file("pyarrow-ipc-file-int64-label-mc-logits.arrow", ds["mc-logits"], "fsl", "int64")
    ipc_file("pyarrow-ipc-file-uint8-label-mc-probs.arrow", ds["mc-probs"], "fsl", "uint8")
    ipc_file("pyarrow-ipc-file-bool-target-ml-logits.arrow", ds["ml-logits"], "fsl", "fsl-bool")
    ipc_file("pyarrow-ipc-file-list-target-ml-logits.arrow", ds["ml-logits"], "list", "list-int8")
    ipc_file("pyarrow-ipc-file-large-list-ml-logits.arrow", ds["ml-logits"], "large_list", "large_list-int8")
    ipc_file("pyarrow-ipc-file-large-string-mc-names.arrow", ds["mc-names"], "fsl", "large_string")
    ipc_file("pyarrow-ipc-file-string-view-mc-names.arrow", ds["mc-names"], "fsl", "string_view")
    ipc_file("pyarrow-ipc-file-dict-mc-names.arrow", ds["mc-names"], "fsl", "dict", names_from_dictionary=True,
             note="dictionary in class order; class names from the dictionary (no classNames)")
    ipc_file("pyarrow-ipc-file-dict-large-string-mc-names.arrow", ds["mc-names"], "fsl", "dict-large_string")
    ipc_file("pyarrow-ipc-file-dict-string-view-mc-names.arrow", ds["mc-names"], "fsl", "dict-string_view")

    # Compressed IPC: feather's default is LZ4 (write_feather, chunksize default: one batch).
    for key in ("mc-probs", "bin-logits", "ml-logits"):
        d = ds[key]
        name = f"pyarrow-feather-lz4-{key}.feather"
        feather.write_feather(arrow_table(d, "fsl" if d.mode != "binary" else "f32",
                                          "fsl-int8" if d.mode == "multilabel" else ("bool" if d.mode == "binary" else "int32")), OUT / name)
        ENTRIES.append(Entry(name, W, "pyarrow.feather.write_feather", {"compression": "default (lz4)"}, key))
    d = ds["mc-probs"]
    feather.write_feather(arrow_table(d, "fsl", "int32"), OUT / "pyarrow-feather-zstd-mc-probs.feather", compression="zstd")
    ENTRIES.append(Entry("pyarrow-feather-zstd-mc-probs.feather", W, "pyarrow.feather.write_feather", {"compression": "zstd"}, "mc-probs"))
    feather.write_feather(arrow_table(d, "fsl", "int32"), OUT / "pyarrow-feather-uncompressed-mc-probs.feather",
                          compression="uncompressed", chunksize=400)
    ENTRIES.append(Entry("pyarrow-feather-uncompressed-mc-probs.feather", W, "pyarrow.feather.write_feather",
                         {"compression": "uncompressed", "chunksize": 400}, "mc-probs"))
    d = ds["mc-names"]
    feather.write_feather(arrow_table(d, "fsl", "string"), OUT / "pyarrow-feather-lz4-mc-names.feather")
    ENTRIES.append(Entry("pyarrow-feather-lz4-mc-names.feather", W, "pyarrow.feather.write_feather",
                         {"compression": "default (lz4)"}, "mc-names", evaluate_options(d)))
    ipc_file("pyarrow-ipc-file-zstd-ml-logits.arrow", ds["ml-logits"], "fsl", "fsl-int8", options={"compression": "zstd"})

    # Streams: uneven batches with an empty one; compressed; a dictionary replaced batch by batch.
    ipc_stream("pyarrow-ipc-stream-mc-probs.arrows", ds["mc-probs"], "fsl", "int32")
    ipc_stream("pyarrow-ipc-stream-bin-probs.arrows", ds["bin-probs"], "f32", "int32")
    ipc_stream("pyarrow-ipc-stream-ml-logits.arrows", ds["ml-logits"], "fsl", "fsl-bool")
    ipc_stream("pyarrow-ipc-stream-zstd-mc-logits.arrows", ds["mc-logits"], "fsl", "int32", options={"compression": "zstd"})
    ipc_stream("pyarrow-ipc-stream-lz4-mc-probs.arrows", ds["mc-probs"], "fsl", "int32", options={"compression": "lz4"})
    d = ds["mc-names"]
    table = arrow_table(d, "fsl", "string")
    per_batch = []
    for b in split(table, d.batches):
        # Each batch its own dictionary, in order of first appearance: a replacement dictionary.
        encoded = b.column("label").dictionary_encode()
        per_batch.append(pa.RecordBatch.from_arrays([b.column("id"), b.column("probs"), encoded], names=["id", "probs", "label"]))
    schema = per_batch[0].schema
    with ipc.new_stream(OUT / "pyarrow-ipc-stream-dict-per-batch-mc-names.arrows", schema) as w:
        for b in per_batch:
            w.write_batch(b)
    ENTRIES.append(Entry("pyarrow-ipc-stream-dict-per-batch-mc-names.arrows", W, "pyarrow.ipc.new_stream",
                         {"pred": "fsl", "label": "dictionary_encode() per batch (replacement dictionaries)", "batches": d.batches},
                         d.name, evaluate_options(d)))

    # Parquet: every codec, several row groups (an empty one among them), v2 data pages,
    # dictionary pages, nullable columns.
    def parquet(name: str, d: Dataset, pred: str, label: str, *, row_groups=None, **options):
        table = arrow_table(d, pred, label)
        groups = row_groups or [500, 0, 500, d.n - 1000]
        with pq.ParquetWriter(OUT / name, table.schema, **options) as w:
            at = 0
            for size in groups:
                w.write_table(table.slice(at, size))
                at += size
        ENTRIES.append(Entry(name, W, "pyarrow.parquet.ParquetWriter", {"pred": pred, "label": label, "row_groups": groups, **options},
                             d.name, evaluate_options(d)))

    parquet("pyarrow-parquet-snappy-mc-probs.parquet", ds["mc-probs"], "fsl", "int32")
    parquet("pyarrow-parquet-zstd-mc-logits.parquet", ds["mc-logits"], "fsl", "int32", compression="zstd")
    parquet("pyarrow-parquet-gzip-bin-probs.parquet", ds["bin-probs"], "f32", "int32", compression="gzip")
    parquet("pyarrow-parquet-lz4-ml-logits.parquet", ds["ml-logits"], "fsl", "fsl-bool", compression="lz4")
    parquet("pyarrow-parquet-brotli-mc-names.parquet", ds["mc-names"], "fsl", "string", compression="brotli")
    parquet("pyarrow-parquet-none-bin-logits.parquet", ds["bin-logits"], "f32", "bool", compression="none")
    parquet("pyarrow-parquet-v2-dict-mc-names.parquet", ds["mc-names"], "list", "dict", data_page_version="2.0",
            use_dictionary=True, compression="snappy")
    parquet("pyarrow-parquet-nodict-list-f64-mc-logits.parquet", ds["mc-logits"], "list-f64", "int64", use_dictionary=False)
    parquet("pyarrow-parquet-large-list-mc-probs.parquet", ds["mc-probs"], "large_list", "int32")
    # pq.write_table, the one-call form: its default row group size (one group here).
    d = ds["mc-probs"]
    pq.write_table(arrow_table(d, "fsl", "int32"), OUT / "pyarrow-parquet-write-table-mc-probs.parquet")
    ENTRIES.append(Entry("pyarrow-parquet-write-table-mc-probs.parquet", W, "pyarrow.parquet.write_table", {}, d.name))


def write_pandas(ds: dict[str, Dataset]) -> None:
    W = "pandas"

    def frame(d: Dataset, labels: str) -> pd.DataFrame:
        cols: dict = {"id": np.arange(d.n, dtype=np.int32)}
        if d.mode == "binary":
            cols[d.pred_column] = d.pred.copy()
        else:
            # A column of numpy float32 arrays: how a model's outputs usually land in a DataFrame.
            cols[d.pred_column] = pd.Series([row.copy() if ok else None for row, ok in zip(d.pred, d.pred_valid)], dtype=object)
        if d.mode == "multilabel":
            cols["label"] = pd.Series([row.astype(np.int8) if ok else None for row, ok in zip(d.label, d.label_valid)], dtype=object)
        elif labels == "category":
            cols["label"] = pd.Categorical(d.label_strings(), categories=d.class_names)
        elif labels == "str":
            cols["label"] = pd.Series(d.label_strings(), dtype="str")
        elif labels == "boolean":
            cols["label"] = pd.array([bool(v) if v is not None else None for v in d.label_ints()], dtype="boolean")
        else:
            cols["label"] = pd.array(d.label_ints(), dtype=labels)
        return pd.DataFrame(cols)

    def entry(name, api, options, d, **ev):
        if api == "DataFrame.to_feather" and "compression" not in options:
            options = {**options, "compression": "default (lz4)"}
        ENTRIES.append(Entry(name, W, api, options, d.name, evaluate_options(d, **ev)))

    d = ds["mc-probs"]
    frame(d, "Int32").to_feather(OUT / "pandas-feather-mc-probs.feather")
    entry("pandas-feather-mc-probs.feather", "DataFrame.to_feather", {"label": "Int32", "probs": "object column of np.float32 arrays"}, d)
    d = ds["mc-names"]
    frame(d, "category").to_feather(OUT / "pandas-feather-categorical-mc-names.feather")
    entry("pandas-feather-categorical-mc-names.feather", "DataFrame.to_feather", {"label": "category (categories in class order)"}, d,
          names_from_dictionary=True)
    frame(d, "str").to_feather(OUT / "pandas-feather-string-mc-names.feather")
    entry("pandas-feather-string-mc-names.feather", "DataFrame.to_feather", {"label": "str"}, d)
    frame(d, "str").to_feather(OUT / "pandas-feather-uncompressed-string-mc-names.feather", compression="uncompressed")
    entry("pandas-feather-uncompressed-string-mc-names.feather", "DataFrame.to_feather", {"label": "str", "compression": "uncompressed"}, d)
    d = ds["bin-logits"]
    frame(d, "boolean").to_feather(OUT / "pandas-feather-uncompressed-bin-logits.feather", compression="uncompressed")
    entry("pandas-feather-uncompressed-bin-logits.feather", "DataFrame.to_feather", {"label": "boolean", "compression": "uncompressed"}, d)
    d = ds["ml-logits"]
    frame(d, "").to_feather(OUT / "pandas-feather-uncompressed-ml-logits.feather", compression="uncompressed")
    entry("pandas-feather-uncompressed-ml-logits.feather", "DataFrame.to_feather",
          {"label": "object column of np.int8 arrays", "compression": "uncompressed"}, d)

    d = ds["mc-probs"]
    frame(d, "Int64").to_parquet(OUT / "pandas-parquet-mc-probs.parquet")
    entry("pandas-parquet-mc-probs.parquet", "DataFrame.to_parquet", {"label": "Int64"}, d)
    d = ds["mc-names"]
    frame(d, "category").to_parquet(OUT / "pandas-parquet-categorical-mc-names.parquet")
    entry("pandas-parquet-categorical-mc-names.parquet", "DataFrame.to_parquet", {"label": "category"}, d)
    d = ds["bin-probs"]
    frame(d, "Int8").to_parquet(OUT / "pandas-parquet-bin-probs.parquet", row_group_size=700)
    entry("pandas-parquet-bin-probs.parquet", "DataFrame.to_parquet", {"label": "Int8", "row_group_size": 700}, d)


def write_polars(ds: dict[str, Dataset]) -> None:
    W = "polars"

    def frame(d: Dataset, pred: str, label: str) -> pl.DataFrame:
        cols = [pl.Series("id", np.arange(d.n, dtype=np.int32))]
        if d.mode == "binary":
            cols.append(pl.Series(d.pred_column, d.pred_scalars(), dtype=pl.Float32))
        else:
            t = pl.Array(pl.Float32, d.classes) if pred == "array" else pl.List(pl.Float32)
            cols.append(pl.Series(d.pred_column, d.pred_rows(), dtype=t))
        if d.mode == "multilabel":
            item = pl.Boolean if label.endswith("bool") else pl.Int8
            rows = d.target_rows()
            if item == pl.Boolean:
                rows = [[bool(v) for v in r] if r is not None else None for r in rows]
            t = pl.Array(item, d.classes) if label.startswith("array") else pl.List(item)
            cols.append(pl.Series("label", rows, dtype=t))
        elif label == "enum":
            cols.append(pl.Series("label", d.label_strings(), dtype=pl.Enum(d.class_names)))
        elif label == "categorical":
            cols.append(pl.Series("label", d.label_strings(), dtype=pl.Categorical))
        elif label == "string":
            cols.append(pl.Series("label", d.label_strings(), dtype=pl.String))
        elif label == "bool":
            cols.append(pl.Series("label", [bool(v) if v is not None else None for v in d.label_ints()], dtype=pl.Boolean))
        else:
            cols.append(pl.Series("label", d.label_ints(), dtype={"int32": pl.Int32, "int64": pl.Int64}[label]))
        return pl.DataFrame(cols)

    def ipc_file(name, d, pred, label, **options):
        frame(d, pred, label).write_ipc(OUT / name, record_batch_size=512, **options)
        shown = {k: ("CompatLevel.oldest()" if k == "compat_level" else v) for k, v in options.items()}
        ENTRIES.append(Entry(name, W, "DataFrame.write_ipc", {"pred": pred, "label": label, "record_batch_size": 512, **shown}, d.name,
                             evaluate_options(d)))

    ipc_file("polars-ipc-array-mc-probs.arrow", ds["mc-probs"], "array", "int32")
    ipc_file("polars-ipc-int64-bin-probs.arrow", ds["bin-probs"], "array", "int64")
    ipc_file("polars-ipc-list-mc-logits.arrow", ds["mc-logits"], "list", "int64")
    ipc_file("polars-ipc-zstd-mc-probs.arrow", ds["mc-probs"], "array", "int32", compression="zstd")
    ipc_file("polars-ipc-lz4-ml-logits.arrow", ds["ml-logits"], "array", "array-int8", compression="lz4")
    ipc_file("polars-ipc-array-bool-target-ml-logits.arrow", ds["ml-logits"], "array", "array-bool")
    ipc_file("polars-ipc-list-ml-logits.arrow", ds["ml-logits"], "list", "list-int8")
    ipc_file("polars-ipc-string-mc-names.arrow", ds["mc-names"], "array", "string")
    ipc_file("polars-ipc-enum-mc-names.arrow", ds["mc-names"], "array", "enum")
    ipc_file("polars-ipc-categorical-mc-names.arrow", ds["mc-names"], "array", "categorical")
    ipc_file("polars-ipc-oldest-string-mc-names.arrow", ds["mc-names"], "array", "string", compat_level=pl.CompatLevel.oldest())
    ipc_file("polars-ipc-oldest-enum-mc-names.arrow", ds["mc-names"], "array", "enum", compat_level=pl.CompatLevel.oldest())

    d = ds["mc-probs"]
    frame(d, "array", "int32").write_ipc_stream(OUT / "polars-ipc-stream-mc-probs.arrows")
    ENTRIES.append(Entry("polars-ipc-stream-mc-probs.arrows", W, "DataFrame.write_ipc_stream", {"pred": "array", "label": "int32"}, d.name))
    d = ds["bin-logits"]
    frame(d, "", "bool").write_ipc_stream(OUT / "polars-ipc-stream-bin-logits.arrows")
    ENTRIES.append(Entry("polars-ipc-stream-bin-logits.arrows", W, "DataFrame.write_ipc_stream", {"pred": "Float32", "label": "bool"}, d.name))

    def parquet(name, d, pred, label, **options):
        frame(d, pred, label).write_parquet(OUT / name, **options)
        ENTRIES.append(Entry(name, W, "DataFrame.write_parquet", {"pred": pred, "label": label, **options}, d.name, evaluate_options(d)))

    parquet("polars-parquet-array-mc-probs.parquet", ds["mc-probs"], "array", "int32", row_group_size=512)
    parquet("polars-parquet-list-mc-logits.parquet", ds["mc-logits"], "list", "int64")
    parquet("polars-parquet-list-ml-logits.parquet", ds["ml-logits"], "list", "list-bool")
    parquet("polars-parquet-string-mc-names.parquet", ds["mc-names"], "array", "string")
    parquet("polars-parquet-enum-mc-names.parquet", ds["mc-names"], "array", "enum")
    parquet("polars-parquet-bool-bin-logits.parquet", ds["bin-logits"], "Float32", "bool")


def write_duckdb(ds: dict[str, Dataset]) -> None:
    W = "duckdb"
    con = duckdb.connect()

    def copy(name: str, d: Dataset, select: str, source: pa.Table, options: str = "FORMAT parquet"):
        con.register("src", source)
        con.execute(f"COPY ({select} FROM src ORDER BY id) TO '{OUT / name}' ({options})")
        con.unregister("src")
        ENTRIES.append(Entry(name, W, "COPY (SELECT ...) TO 'file.parquet'", {"select": select, "options": options}, d.name,
                             evaluate_options(d)))

    d = ds["mc-probs"]
    copy("duckdb-parquet-list-mc-probs.parquet", d, "SELECT id, probs::FLOAT[] AS probs, label::INTEGER AS label",
         arrow_table(d, "list", "int32"), "FORMAT parquet, ROW_GROUP_SIZE 512")
    d = ds["mc-logits"]
    copy("duckdb-parquet-array-mc-logits.parquet", d, "SELECT id, logits::FLOAT[5] AS logits, label::INTEGER AS label",
         arrow_table(d, "list", "int32"))
    d = ds["bin-probs"]
    copy("duckdb-parquet-bin-probs.parquet", d, "SELECT id, probs::FLOAT AS probs, label::BIGINT AS label",
         arrow_table(d, "f32", "int32"), "FORMAT parquet, COMPRESSION zstd")
    d = ds["ml-logits"]
    copy("duckdb-parquet-array-ml-logits.parquet", d, "SELECT id, logits::FLOAT[4] AS logits, label::BOOLEAN[4] AS label",
         arrow_table(d, "list", "list-bool"))
    d = ds["mc-names"]
    copy("duckdb-parquet-varchar-mc-names.parquet", d, "SELECT id, probs::FLOAT[5] AS probs, label::VARCHAR AS label",
         arrow_table(d, "list", "string"))
    con.execute(f"CREATE TYPE animal AS ENUM ({', '.join(repr(n) for n in d.class_names)})")
    copy("duckdb-parquet-enum-mc-names.parquet", d, "SELECT id, probs::FLOAT[] AS probs, label::animal AS label",
         arrow_table(d, "list", "string"))


# ----------------------------------------------------------------------------------------------


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    datasets = make_datasets()
    write_pyarrow(datasets)
    write_pandas(datasets)
    write_polars(datasets)
    write_duckdb(datasets)

    files = []
    for e in ENTRIES:
        d = datasets[e.dataset]
        info = read_back(OUT / e.file, d)
        files.append({
            "file": e.file,
            "writer": e.writer,
            "writerVersion": VERSIONS[e.writer],
            "api": e.api,
            "options": e.options,
            "dataset": e.dataset,
            "evaluate": {**e.evaluate},
            "types": info["types"],
            **({"storedTypes": info["storedTypes"]} if "storedTypes" in info else {}),
            "codec": info["codec"],
            "batches": info["batches"],
            "sameRows": True,
            "needs": needs_of(info, d, list_width_later=e.list_width_later),
            **({"note": e.note} if e.note else {}),
            **({"readBack": info["readBack"]} if "readBack" in info else {}),
        })
    assert len({f["file"] for f in files}) == len(files)

    references = {
        "bin-probs": "pyarrow-ipc-file-bin-probs.arrow",
        "bin-logits": "pyarrow-ipc-file-bin-logits.arrow",
        "mc-probs": "pyarrow-ipc-file-mc-probs.arrow",
        "mc-logits": "pyarrow-ipc-file-mc-logits.arrow",
        "mc-names": "pyarrow-ipc-file-mc-names.arrow",
        "ml-logits": "pyarrow-ipc-file-ml-logits.arrow",
    }
    manifest = {
        "generator": "scripts/writer-fixtures.py",
        "seed": SEED,
        "versions": VERSIONS,
        "expectedParameters": {"gamma": GAMMA, "alpha": None, "epsilon": EPSILON, "easyThreshold": EASY, "ignoreIndex": IGNORE_INDEX},
        "datasets": {
            name: {
                "mode": d.mode,
                "input": d.input,
                "predColumn": d.pred_column,
                "classes": d.classes,
                "classNames": d.class_names or [str(c) for c in range(d.classes)],
                "rows": d.n,
                "reference": references[name],
                "expected": expected_report(d),
            }
            for name, d in datasets.items()
        },
        "files": files,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(files)} files, {total / 1e6:.2f} MB in {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
