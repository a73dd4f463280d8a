/**
 * focal-eval's public surface: score a prediction dump with focal loss, from a file, a Table or
 * a stream of RecordBatches. The CLI is a bin, not an export.
 */
export { evaluate } from './evaluate.ts';
export { estimateAlphas, estimateMultilabelAlphas, type AlphaEstimates } from './alphas.ts';
export { DataError, FocalEvalError, UsageError, type DataLocation, type ErrorCode } from './errors.ts';
export { ALPHA_SCHEMES, OptionsSchema, type AlphaScheme, type Options, type OptionsInput } from './options.ts';
export { ReportSchema, type ClassStats, type Report, type Stats } from './report.ts';
export type { InputSource } from './source/input.ts';
