"""The stage's peer for `npm run bench`: what `focal-eval score FILE --emit OUT` does, with
pyarrow + numpy. Memory-maps the Arrow IPC file, and for each batch appends the same columns in
float64 (p_t, ce, focal_loss, easy; multilabel: focal_loss_per_class as float32 lists and
focal_loss, the row sum), nulls for ignored rows, and writes an IPC stream batch by batch.

    python stage_peer.py IN.arrow OUT.arrows MODE ALPHA GAMMA     (MODE: multiclass-probs, multiclass-logits, multilabel-logits)

Prints {"rows": N, "sumLoss": S} on stdout (the emitted focal_loss summed), which the bench
checks against focal-eval's report.
"""
import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

EPS = 1e-7
IGNORE = -100


def multiclass(batch, logits, alpha, gamma):
    pred = batch.column('logits' if logits else 'probs')
    C = pred.type.list_size
    values = pred.values.to_numpy(zero_copy_only=False).reshape(-1, C)
    label = batch.column('label')
    y = label.to_numpy(zero_copy_only=False).astype(np.int64) if label.null_count == 0 else label.fill_null(IGNORE).to_numpy().astype(np.int64)
    scored = y != IGNORE
    yc = np.where(scored, y, 0)
    rows = np.arange(len(y))
    if logits:
        z = values.astype(np.float64)
        m = z.max(axis=1)
        lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
        log_pt = z[rows, yc] - lse
        pt = np.exp(log_pt)
        omp = -np.expm1(log_pt)
    else:
        pt = np.clip(values[rows, yc].astype(np.float64), EPS, 1 - EPS)
        log_pt = np.log(pt)
        omp = 1 - pt
    ce = -log_pt
    loss = alpha * omp**gamma * ce
    mask = ~scored
    cols = [
        pa.array(pt, mask=mask),
        pa.array(ce, mask=mask),
        pa.array(loss, mask=mask),
        pa.array(pt >= 0.5, mask=mask),
    ]
    return cols, ['p_t', 'ce', 'focal_loss', 'easy'], float(loss[scored].sum())


def multilabel(batch, alpha, gamma):
    pred = batch.column('logits')
    C = pred.type.list_size
    z = pred.values.to_numpy(zero_copy_only=False).reshape(-1, C).astype(np.float64)
    target = batch.column('label')
    t = target.values.to_numpy(zero_copy_only=False).reshape(-1, C).astype(bool)
    # log p_t = -softplus(-z) for a positive, -softplus(z) for a negative
    s = np.where(t, -z, z)
    log_pt = -np.logaddexp(0, s)
    omp = -np.expm1(log_pt)
    unit = np.where(t, alpha, 1 - alpha) * omp**gamma * -log_pt
    row = unit.sum(axis=1)
    per_class = pa.FixedSizeListArray.from_arrays(pa.array(unit.astype(np.float32).ravel()), C)
    return [per_class, pa.array(row)], ['focal_loss_per_class', 'focal_loss'], float(row.sum())


def main():
    src, dst, mode, alpha, gamma = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
    reader = ipc.open_file(pa.memory_map(src))
    writer = None
    total = 0.0
    rows = 0
    with pa.OSFile(dst, 'wb') as sink:
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            if mode == 'multilabel-logits':
                cols, names, s = multilabel(batch, alpha, gamma)
            else:
                cols, names, s = multiclass(batch, mode.endswith('logits'), alpha, gamma)
            out = pa.RecordBatch.from_arrays(batch.columns + cols, names=batch.schema.names + names)
            if writer is None:
                writer = ipc.new_stream(sink, out.schema)
            writer.write_batch(out)
            total += s
            rows += batch.num_rows
        if writer is not None:
            writer.close()
    print(json.dumps({'rows': rows, 'sumLoss': total}))


main()
