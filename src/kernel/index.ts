/** Picks the kernel for a (mode, input) pair; imported by workers and tests, never by the public barrel. */
import { scoreBinaryLogits, scoreBinaryProbs } from './binary.ts';
import { scoreMulticlassLogits, scoreMulticlassProbs } from './multiclass.ts';
import { scoreMultilabelLogits, scoreMultilabelProbs } from './multilabel.ts';
import type { Columns, InputKind, KernelError, KernelParams, Mode, RowOutputs } from './types.ts';

/** A kernel: fills `out` (a partial) from one batch's columns, and the stage's per-row outputs when given. */
export type Kernel = (cols: Columns, params: KernelParams, out: Float64Array, rows?: RowOutputs | null) => KernelError | null;

/** The kernel for a mode and input kind. */
export function kernelFor(mode: Mode, input: InputKind): Kernel {
  switch (mode) {
    case 'binary':
      return input === 'logits' ? scoreBinaryLogits : scoreBinaryProbs;
    case 'multiclass':
      return input === 'logits' ? scoreMulticlassLogits : scoreMulticlassProbs;
    case 'multilabel':
      return input === 'logits' ? scoreMultilabelLogits : scoreMultilabelProbs;
  }
}
