"""numpy float32 baseline for the focal-eval bench.

Computes the statistics focal-eval reports (per-class sums of CE, FL and p_t, the easy/hard
split, the p_t histogram, alpha "auto" from inverse class frequency) from the same Arrow IPC
file, vectorised in numpy: per-unit terms in float32, sums in float64 (np.bincount). It tells
how far a plain vectorised implementation is from the evaluator. Reading needs pyarrow (the bench
skips this runner when pyarrow cannot be imported); the scoring functions need numpy only.

Usage: python3 bench/numpy_baseline.py FILE [--gamma 2] [--bins 20]
Prints one JSON object: mode, rows, scored, seconds and the totals.
"""

import json
import sys
import time

import numpy as np

EPS = np.float32(1e-7)
IGNORE_INDEX = -100


class Sums:
    """Per-group float64 sums, the same groups as focal-eval's partial (class; multilabel: class, then class + C for negatives)."""

    def __init__(self, groups, bins):
        self.bins = bins
        self.count = np.zeros(groups)
        self.ce = np.zeros(groups)
        self.fl = np.zeros(groups)
        self.pt = np.zeros(groups)
        self.easy_count = np.zeros(groups)
        self.easy_ce = np.zeros(groups)
        self.easy_fl = np.zeros(groups)
        self.hist = np.zeros(groups * bins)

    def add(self, group, pt, log_pt, one_minus_pt, gamma, easy_threshold=0.5):
        """Adds units (float32 arrays) to their groups."""
        n = len(self.count)
        ce = -log_pt
        mod = one_minus_pt * one_minus_pt if gamma == 2 else np.power(one_minus_pt, np.float32(gamma))
        fl = mod * ce
        easy = pt >= np.float32(easy_threshold)
        self.count += np.bincount(group, minlength=n)
        self.ce += np.bincount(group, weights=ce, minlength=n)
        self.fl += np.bincount(group, weights=fl, minlength=n)
        self.pt += np.bincount(group, weights=pt, minlength=n)
        self.easy_count += np.bincount(group[easy], minlength=n)
        self.easy_ce += np.bincount(group[easy], weights=ce[easy], minlength=n)
        self.easy_fl += np.bincount(group[easy], weights=fl[easy], minlength=n)
        b = np.minimum((pt * self.bins).astype(np.int64), self.bins - 1)
        self.hist += np.bincount(group * self.bins + b, minlength=n * self.bins)


def score_multiclass(sums, pred, label, logits, gamma):
    """Scores rows of C predictions (float32, rows x C) with int labels; rows with a label of IGNORE_INDEX are skipped."""
    keep = label != IGNORE_INDEX
    if not keep.all():
        pred, label = pred[keep], label[keep]
    if not np.isfinite(pred).all() or (not logits and ((pred < 0) | (pred > 1)).any()):
        raise ValueError("invalid prediction")
    if ((label < 0) | (label >= pred.shape[1])).any():
        raise ValueError("label out of range")
    rows = np.arange(len(label))
    if logits:
        m = pred.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(pred - m).sum(axis=1))
        log_pt = pred[rows, label] - lse
        pt = np.exp(log_pt)
        one_minus = -np.expm1(log_pt)
    else:
        pt = np.clip(pred[rows, label], EPS, np.float32(1) - EPS)
        log_pt = np.log(pt)
        one_minus = np.float32(1) - pt
    sums.add(label.astype(np.int64), pt, log_pt, one_minus, gamma)


def score_multilabel(sums, logits, targets, gamma):
    """Scores rows x C logits against rows x C 0/1 targets; group c for positives, C + c for negatives."""
    if not np.isfinite(logits).all() or ((targets != 0) & (targets != 1)).any():
        raise ValueError("invalid prediction or target")
    C = logits.shape[1]
    positive = targets == 1
    log_pt = -np.logaddexp(np.float32(0), np.where(positive, -logits, logits))
    pt = np.exp(log_pt)
    one_minus = -np.expm1(log_pt)
    group = np.where(positive, 0, C) + np.arange(C)
    sums.add(group.ravel(), pt.ravel(), log_pt.ravel(), one_minus.ravel(), gamma)


def inverse_alpha(counts):
    """alpha "auto" (inverse): (1 / n_c) / sum_k (1 / n_k) over present classes; 1 (unweighted) where n_c = 0."""
    inv = np.where(counts > 0, 1 / np.maximum(counts, 1), 0)
    return np.where(counts > 0, inv / inv.sum(), 1.0)


def list_values(column, width):
    """A FixedSizeList column's child values as a rows x width numpy array, null rows included (zero-copy where possible)."""
    values = column.values.slice(column.offset * width, len(column) * width)
    return values.to_numpy(zero_copy_only=False).reshape(-1, width)


def read_batches(path):
    """Yields (prediction column name, pred rows x C float32, label) per record batch; rows with a null label are dropped (ignored)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    with pa.memory_map(path, "r") as source:
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            name = "probs" if "probs" in batch.schema.names else "logits"
            pred_col = batch.column(name)
            width = pred_col.type.list_size
            pred = list_values(pred_col, width)
            label_col = batch.column("label")
            if pa.types.is_fixed_size_list(label_col.type):
                label = list_values(label_col, width)
                if label_col.null_count > 0:
                    valid = label_col.is_valid().to_numpy(zero_copy_only=False)
                    pred, label = pred[valid], label[valid]
            else:
                label = pc.fill_null(label_col, IGNORE_INDEX).to_numpy(zero_copy_only=False)
            yield name, pred, label


def main(argv):
    path = argv[1]
    gamma = float(argv[argv.index("--gamma") + 1]) if "--gamma" in argv else 2.0
    bins = int(argv[argv.index("--bins") + 1]) if "--bins" in argv else 20
    started = time.perf_counter()
    sums = None
    rows = 0
    mode = None
    for name, pred, label in read_batches(path):
        C = pred.shape[1]
        mode = "multilabel" if label.ndim == 2 else "multiclass"
        sums = sums or Sums(2 * C if mode == "multilabel" else C, bins)
        rows += len(pred)
        if mode == "multilabel":
            score_multilabel(sums, pred, label, gamma)
        else:
            score_multiclass(sums, pred, label, name == "logits", gamma)
    C = len(sums.count) // (2 if mode == "multilabel" else 1)
    if mode == "multilabel":
        P, M = sums.count[:C], sums.count[C:]
        alpha_pos = np.where((P > 0) & (M > 0), M / np.maximum(P + M, 1), np.nan)
        weight = np.concatenate([alpha_pos, 1 - alpha_pos])
        weight = np.where(np.isnan(weight), 1.0, weight)
    else:
        weight = inverse_alpha(sums.count)
    result = {
        "mode": mode,
        "rows": rows,
        "scored": int(sums.count.sum()),
        "sumCE": float(sums.ce.sum()),
        "sumFL": float(sums.fl.sum()),
        "sumLoss": float((weight * sums.fl).sum()),
        "meanPt": float(sums.pt.sum() / max(1, sums.count.sum())),
        "easy": int(sums.easy_count.sum()),
        "histogram": [int(x) for x in sums.hist.reshape(-1, bins).sum(axis=0)],
        "seconds": time.perf_counter() - started,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
