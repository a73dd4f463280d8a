"""numpy float32 baseline for the focal-eval bench.

Computes the statistics focal-eval reports for `--alpha auto --gamma 2` (per group: count, sums of
CE, FL and p_t, the easy/hard split of count, CE and FL, the p_t histogram; alpha "auto" from
inverse class frequency) from the same Arrow IPC file, vectorised in numpy: per-unit terms in
float32 as a numpy user would write them, sums in float64 (np.bincount accumulates its weights in
float64). It tells how far a plain vectorised implementation is from the evaluator.

Reading needs numpy only. Design choice: this script parses the Arrow IPC *file* format itself
(the footer, the Footer/Schema/Message/RecordBatch flatbuffers, the field nodes and buffers) with
a small flatbuffer reader below, instead of taking a layout precomputed by a Node step. That keeps
the comparison whole-process and honest: every byte of metadata parsing, file reading and scoring
that a numpy user would pay is inside the timed python3 process, just as the CLI's own reading is
inside its timed process. pyarrow is not needed (it cannot be installed on this project's
machines). Each record batch's body is read with one readinto() into a reused buffer and viewed
with np.frombuffer, like the CLI's workers read their batches with one read each: memory stays
bounded by one batch, and mapped file pages do not count towards peak RSS.

Supported inputs: what the bench generates and a bit more, i.e. a prediction column `probs` or
`logits` of FixedSizeList<Float32|Float64>[C], and a `label` column that is an integer class index
(multiclass; null labels and label == -100 are ignored) or a FixedSizeList<integer>[C] of 0/1
targets (multilabel; null rows are ignored). Uncompressed, little-endian, metadata V4/V5. Anything
else (dictionary labels, compression, nulls inside a prediction) stops the script with an error.

Usage: python3 bench/numpy_baseline.py FILE [--gamma 2] [--bins 20]
Prints one JSON object: mode, input, rows, scored (units), ignored, the totals, seconds.
"""

import json
import struct
import sys
import time

import numpy as np

EPS = np.float32(1e-7)
IGNORE_INDEX = -100
EASY_THRESHOLD = np.float32(0.5)

# ---------------------------------------------------------------------------------------------
# A minimal flatbuffer reader: tables, scalars, sub-tables, strings, vectors of tables and of
# structs. Offsets are checked to stay inside the buffer (a corrupt file fails, never loops).


class FlatError(ValueError):
    pass


class Flat:
    def __init__(self, buf):
        self.buf = bytes(buf)

    def _u32(self, pos):
        if pos < 0 or pos + 4 > len(self.buf):
            raise FlatError(f"flatbuffer offset {pos} out of range")
        return struct.unpack_from("<I", self.buf, pos)[0]

    def root(self):
        return self._u32(0)

    def _field(self, table, slot):
        """Absolute position of a table's field, or None when the field is absent."""
        vtable = table - struct.unpack_from("<i", self.buf, table)[0]
        vsize = struct.unpack_from("<H", self.buf, vtable)[0]
        entry = 4 + 2 * slot
        if entry + 2 > vsize:
            return None
        rel = struct.unpack_from("<H", self.buf, vtable + entry)[0]
        return None if rel == 0 else table + rel

    def scalar(self, table, slot, fmt, default=0):
        pos = self._field(table, slot)
        return default if pos is None else struct.unpack_from("<" + fmt, self.buf, pos)[0]

    def table(self, table, slot):
        pos = self._field(table, slot)
        return None if pos is None else pos + self._u32(pos)

    def _vector(self, table, slot):
        """(start of the elements, count), or None when absent."""
        at = self.table(table, slot)
        return None if at is None else (at + 4, self._u32(at))

    def string(self, table, slot):
        vec = self._vector(table, slot)
        return None if vec is None else self.buf[vec[0] : vec[0] + vec[1]].decode("utf8")

    def tables(self, table, slot):
        vec = self._vector(table, slot)
        if vec is None:
            return []
        start, count = vec
        return [start + 4 * i + self._u32(start + 4 * i) for i in range(count)]

    def structs(self, table, slot, fmt):
        """A vector of structs as a list of tuples (fmt: the struct's little-endian layout)."""
        vec = self._vector(table, slot)
        if vec is None:
            return []
        start, count = vec
        size = struct.calcsize("<" + fmt)
        if start + count * size > len(self.buf):
            raise FlatError("flatbuffer vector out of range")
        return list(struct.iter_unpack("<" + fmt, self.buf[start : start + count * size]))


# ---------------------------------------------------------------------------------------------
# Arrow IPC file format (File.fbs, Message.fbs, Schema.fbs).

MAGIC = b"ARROW1"
BLOCK = "qi4xq"  # offset int64, metaDataLength int32, padding, bodyLength int64
FIELD_NODE = "qq"  # length, null_count
BUFFER = "qq"  # offset, length
RECORD_BATCH = 3  # MessageHeader union tag
T_NULL, T_INT, T_FLOAT, T_BINARY, T_UTF8, T_BOOL = 1, 2, 3, 4, 5, 6
T_LIST, T_STRUCT, T_FIXED_SIZE_LIST, T_MAP, T_LARGE_BINARY, T_LARGE_UTF8, T_LARGE_LIST = 12, 13, 16, 17, 19, 20, 21


class Field:
    """A schema field: name, Type union tag, its parameters, children, and whether it is dictionary-encoded."""

    def __init__(self, fb, t):
        self.name = fb.string(t, 0) or ""
        self.type_id = fb.scalar(t, 2, "B")
        params = fb.table(t, 3)
        self.dictionary = fb.table(t, 4) is not None
        self.children = [Field(fb, c) for c in fb.tables(t, 5)]
        self.bit_width, self.signed, self.precision, self.list_size = 32, True, 0, 0
        if params is not None:
            if self.type_id == T_INT:
                self.bit_width, self.signed = fb.scalar(params, 0, "i", 32), fb.scalar(params, 1, "B") != 0
            elif self.type_id == T_FLOAT:
                self.precision = fb.scalar(params, 0, "h")
            elif self.type_id == T_FIXED_SIZE_LIST:
                self.list_size = fb.scalar(params, 0, "i")

    def dtype(self):
        """The numpy dtype of a fixed-width numeric field's values."""
        if self.type_id == T_INT:
            return np.dtype(f"<{'i' if self.signed else 'u'}{self.bit_width // 8}")
        if self.type_id == T_FLOAT and self.precision in (1, 2):
            return np.dtype("<f4" if self.precision == 1 else "<f8")
        raise ValueError(f"field {self.name}: type {self.type_id} is not a supported numeric type")

    def advance(self, at):
        """Moves the [node, buffer] cursor past this field (IPC's depth-first order); False for unknown layouts."""
        at[0] += 1
        t = T_INT if self.dictionary else self.type_id
        if t == T_NULL:
            return True
        if t in (T_BINARY, T_UTF8, T_LARGE_BINARY, T_LARGE_UTF8):
            at[1] += 3
            return True
        if t in (T_LIST, T_MAP, T_LARGE_LIST, T_FIXED_SIZE_LIST, T_STRUCT):
            at[1] += 1 if t in (T_FIXED_SIZE_LIST, T_STRUCT) else 2
            return all(c.advance(at) for c in self.children)
        if t == 14 or t > 21:  # union and the view layouts
            return False
        at[1] += 2
        return True


def read_exact(f, pos, n):
    f.seek(pos)
    data = f.read(n)
    if len(data) != n:
        raise ValueError(f"truncated file: wanted {n} bytes at {pos}")
    return data


def open_ipc_file(f):
    """Parses the footer: (schema fields, record batch blocks as (offset, metaDataLength, bodyLength))."""
    f.seek(0, 2)
    size = f.tell()
    if size < 18 or read_exact(f, 0, 6) != MAGIC:
        raise ValueError("not an Arrow IPC file (no ARROW1 magic at the start)")
    tail = read_exact(f, size - 10, 10)
    if tail[4:] != MAGIC:
        raise ValueError("not an Arrow IPC file (no ARROW1 magic at the end)")
    footer_len = struct.unpack_from("<i", tail)[0]
    if footer_len <= 0 or footer_len > size - 18:
        raise ValueError(f"bad footer length {footer_len}")
    fb = Flat(read_exact(f, size - 10 - footer_len, footer_len))
    footer = fb.root()
    schema = fb.table(footer, 1)
    if schema is None:
        raise ValueError("the footer has no schema")
    if fb.scalar(schema, 0, "h") != 0:
        raise ValueError("big-endian files are not supported")
    fields = [Field(fb, t) for t in fb.tables(schema, 1)]
    blocks = fb.structs(footer, 3, BLOCK)
    return fields, blocks


def batch_layout(f, block):
    """A record batch's (row count, field nodes, buffers as absolute (file offset, length), body start, body length)."""
    offset, meta_len, body_len = block
    prefix = read_exact(f, offset, 8)
    start = 8 if struct.unpack_from("<i", prefix)[0] == -1 else 4  # continuation marker, or a pre-0.15 prefix
    fb = Flat(read_exact(f, offset + start, meta_len - start))
    message = fb.root()
    if fb.scalar(message, 0, "h") not in (3, 4):
        raise ValueError("only metadata versions V4 and V5 are supported")
    if fb.scalar(message, 1, "B") != RECORD_BATCH:
        raise ValueError(f"block at {offset} is not a record batch")
    batch = fb.table(message, 2)
    if fb.table(batch, 3) is not None:
        raise ValueError("compressed record batches are not supported")
    rows = fb.scalar(batch, 0, "q")
    nodes = fb.structs(batch, 1, FIELD_NODE)
    buffers = fb.structs(batch, 2, BUFFER)
    for off, length in buffers:
        if off < 0 or length < 0 or off + length > body_len:
            raise ValueError(f"a buffer of the batch at {offset} lies outside its body")
    return rows, nodes, buffers, offset + meta_len, body_len


# ---------------------------------------------------------------------------------------------
# Columns of a batch as numpy views of its body.


def valid_mask(body, buffer, n):
    """A validity bitmap as a bool array of n entries."""
    off, length = buffer
    if length * 8 < n:
        raise ValueError("validity bitmap too short")
    bits = np.frombuffer(body, np.uint8, (n + 7) // 8, off)
    return np.unpackbits(bits, bitorder="little", count=n).astype(bool)


def values(body, buffer, dtype, count):
    off, length = buffer
    if count * dtype.itemsize > length:
        raise ValueError("value buffer too short for its row count")
    return np.frombuffer(body, dtype, count, off)


class ColumnPlan:
    """Where the prediction and label columns sit in every batch (nodes and buffers), from the schema."""

    def __init__(self, fields):
        places, at = {}, [0, 0]
        for field in fields:
            places[field.name] = (field, at[0], at[1])
            if not field.advance(at):
                break
        name = "probs" if "probs" in places else "logits"
        if name not in places or "label" not in places:
            raise ValueError("need a probs or logits column and a label column")
        self.input = name
        self.pred, self.pred_node, self.pred_buf = places[name]
        self.label, self.label_node, self.label_buf = places["label"]
        if self.pred.type_id != T_FIXED_SIZE_LIST or self.pred.dictionary:
            raise ValueError(f"{name} must be a FixedSizeList of floats")
        self.classes = self.pred.list_size
        self.pred_dtype = self.pred.children[0].dtype()
        if self.label.dictionary:
            raise ValueError("dictionary-encoded labels are not supported by the numpy baseline")
        self.multilabel = self.label.type_id == T_FIXED_SIZE_LIST
        if self.multilabel and self.label.list_size != self.classes:
            raise ValueError("label list size differs from the prediction width")
        self.label_dtype = (self.label.children[0] if self.multilabel else self.label).dtype()

    def columns(self, body, rows, nodes, buffers):
        """(pred rows x C float32, label, rows_ignored) for one batch, nulls resolved."""
        C = self.classes
        pn, pb, ln, lb = self.pred_node, self.pred_buf, self.label_node, self.label_buf
        if nodes[pn + 1][1] > 0:
            raise ValueError("null values inside a prediction list")
        pred = values(body, buffers[pb + 2], self.pred_dtype, rows * C).reshape(rows, C)
        if pred.dtype != np.float32:
            pred = pred.astype(np.float32)
        pred_valid = valid_mask(body, buffers[pb], rows) if nodes[pn][1] > 0 else None
        if self.multilabel:
            if nodes[ln + 1][1] > 0:
                raise ValueError("null targets inside a label list")
            label = values(body, buffers[lb + 2], self.label_dtype, rows * C).reshape(rows, C)
            keep = valid_mask(body, buffers[lb], rows) if nodes[ln][1] > 0 else None
        else:
            label = values(body, buffers[lb + 1], self.label_dtype, rows)
            keep = label != IGNORE_INDEX if self.label_dtype.kind == "i" else None
            if nodes[ln][1] > 0:
                valid = valid_mask(body, buffers[lb], rows)
                keep = valid if keep is None else keep & valid
            if keep is not None and keep.all():
                keep = None
        if pred_valid is not None and not (pred_valid if keep is None else pred_valid | ~keep).all():
            raise ValueError("a null prediction on a scored row")
        ignored = 0
        if keep is not None:
            ignored = rows - int(keep.sum())
            pred, label = pred[keep], label[keep]
        return pred, label, ignored


# ---------------------------------------------------------------------------------------------
# Scoring.


class Sums:
    """Per-group float64 sums, the same groups as focal-eval's partial (class; multilabel: class, then class + C for negatives)."""

    def __init__(self, groups, bins):
        self.groups, self.bins = groups, bins
        # Indexed by 2 * group + easy: one bincount gives a sum's hard and easy halves at once.
        self.count = np.zeros(2 * groups)
        self.ce = np.zeros(2 * groups)
        self.fl = np.zeros(2 * groups)
        self.pt = np.zeros(groups)
        self.hist = np.zeros(groups * bins)

    def add(self, group, pt, log_pt, one_minus_pt, gamma):
        """Adds units (float32 arrays; group an int array) to their groups."""
        n = self.groups
        ce = -log_pt
        mod = one_minus_pt * one_minus_pt if gamma == 2 else np.power(one_minus_pt, np.float32(gamma))
        fl = mod * ce
        key = 2 * group + (pt >= EASY_THRESHOLD)
        self.count += np.bincount(key, minlength=2 * n)
        self.ce += np.bincount(key, weights=ce, minlength=2 * n)
        self.fl += np.bincount(key, weights=fl, minlength=2 * n)
        self.pt += np.bincount(group, weights=pt, minlength=n)
        b = np.minimum((pt * np.float32(self.bins)).astype(np.intp), self.bins - 1)
        self.hist += np.bincount(group * self.bins + b, minlength=n * self.bins)

    def split(self, sums):
        """(total, hard, easy) per group."""
        per = sums.reshape(-1, 2)
        return per.sum(axis=1), per[:, 0], per[:, 1]


def score_multiclass(sums, pred, label, logits, gamma):
    """Scores rows of C predictions (float32, rows x C) with int class labels (ignored rows already dropped)."""
    if not np.isfinite(pred).all() or (not logits and ((pred < 0) | (pred > 1)).any()):
        raise ValueError("invalid prediction")
    if ((label < 0) | (label >= pred.shape[1])).any():
        raise ValueError("label out of range")
    label = label.astype(np.intp)
    picked = np.take_along_axis(pred, label[:, None], axis=1)[:, 0]
    if logits:
        m = pred.max(axis=1)
        lse = m + np.log(np.exp(pred - m[:, None]).sum(axis=1))
        log_pt = picked - lse
        pt = np.exp(log_pt)
        one_minus = -np.expm1(log_pt)
    else:
        pt = np.clip(picked, EPS, np.float32(1) - EPS)
        log_pt = np.log(pt)
        one_minus = np.float32(1) - pt
    sums.add(label, pt, log_pt, one_minus, gamma)


def score_multilabel(sums, logits, targets, gamma):
    """Scores rows x C logits against rows x C 0/1 targets; group c for positives, C + c for negatives."""
    if not np.isfinite(logits).all() or ((targets != 0) & (targets != 1)).any():
        raise ValueError("invalid prediction or target")
    C = logits.shape[1]
    positive = targets == 1
    log_pt = -np.logaddexp(np.float32(0), np.where(positive, -logits, logits))  # -softplus(-z) or -softplus(z)
    pt = np.exp(log_pt)
    one_minus = -np.expm1(log_pt)
    group = np.where(positive, 0, C) + np.arange(C)
    sums.add(group.ravel(), pt.ravel(), log_pt.ravel(), one_minus.ravel(), gamma)


def inverse_alpha(counts):
    """alpha "auto" (inverse): (1 / n_c) / sum_k (1 / n_k) over present classes; 1 (unweighted) where n_c = 0."""
    inv = np.where(counts > 0, 1 / np.maximum(counts, 1), 0)
    return np.where(counts > 0, inv / inv.sum(), 1.0)


def group_weights(count, multilabel):
    """The alpha "auto" weight of every group."""
    if not multilabel:
        return inverse_alpha(count)
    C = len(count) // 2
    P, M = count[:C], count[C:]
    # Two-class inverse frequency: alpha_c = (1/P) / (1/P + 1/M) = M / (P + M); 1 - alpha_c on negatives.
    alpha_pos = np.where((P > 0) & (M > 0), M / np.maximum(P + M, 1), np.nan)
    weight = np.concatenate([alpha_pos, 1 - alpha_pos])
    return np.where(np.isnan(weight), 1.0, weight)


def main(argv):
    path = argv[1]
    gamma = float(argv[argv.index("--gamma") + 1]) if "--gamma" in argv else 2.0
    bins = int(argv[argv.index("--bins") + 1]) if "--bins" in argv else 20
    started = time.perf_counter()
    rows = ignored = 0
    with open(path, "rb", buffering=0) as f:
        fields, blocks = open_ipc_file(f)
        plan = ColumnPlan(fields)
        C = plan.classes
        sums = Sums(2 * C if plan.multilabel else C, bins)
        body = bytearray(max((b[2] for b in blocks), default=0))
        for block in blocks:
            n, nodes, buffers, body_at, body_len = batch_layout(f, block)
            f.seek(body_at)
            view = memoryview(body)[:body_len]
            if f.readinto(view) != body_len:
                raise ValueError("truncated record batch body")
            pred, label, skipped = plan.columns(view, n, nodes, buffers)
            rows += n
            ignored += skipped
            if plan.multilabel:
                score_multilabel(sums, pred, label, gamma)
            else:
                score_multiclass(sums, pred, label, plan.input == "logits", gamma)
            del pred, label, view  # release the views of `body` before it is refilled
    count, hard_count, easy_count = sums.split(sums.count)
    ce, hard_ce, easy_ce = sums.split(sums.ce)
    fl, hard_fl, easy_fl = sums.split(sums.fl)
    weight = group_weights(count, plan.multilabel)
    scored = int(count.sum())
    result = {
        "mode": "multilabel" if plan.multilabel else "multiclass",
        "input": plan.input,
        "rows": rows,
        "ignored": ignored,
        "scored": scored,
        "sumCE": float(ce.sum()),
        "sumFL": float(fl.sum()),
        "sumLoss": float((weight * fl).sum()),
        "meanPt": float(sums.pt.sum() / max(1, scored)),
        "easy": int(easy_count.sum()),
        "easyCE": float(easy_ce.sum()),
        "easyFL": float(easy_fl.sum()),
        "hardCE": float(hard_ce.sum()),
        "hardFL": float(hard_fl.sum()),
        "hard": int(hard_count.sum()),
        "histogram": [int(x) for x in sums.hist.reshape(-1, bins).sum(axis=0)],
        "groupCounts": [int(x) for x in count],
        "seconds": time.perf_counter() - started,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
