/**
 * focal-eval's public surface: score a prediction dump with focal loss, from a file, a Table or
 * a stream of RecordBatches; append per-row loss columns in a pipeline stage; carry alpha
 * estimates between runs; score into mergeable partials and merge them, on one machine or as BullMQ
 * jobs on Redis; render a report as a self-contained HTML page. The CLI is a bin, not an export.
 */
export { evaluate } from './evaluate.ts';
export { focalStage, type FocalStage, type StageOptions } from './stage/stage.ts';
export { emitScored } from './stage/emit.ts';
export { ipcStreamEncoder } from './stage/ipcStreamEncoder.ts';
export { estimateAlphas, estimateMultilabelAlphas, ALPHA_SCHEMES, type AlphaEstimates, type AlphaScheme } from './alpha/estimates.ts';
export { readSavedAlphas, toSavedAlphas, SavedAlphasSchema, type SavedAlphas } from './alpha/saved.ts';
export { AbortError, DataError, FocalEvalError, UsageError, type DataLocation, type ErrorCode } from './errors.ts';
export { OptionsSchema, type Options, type OptionsInput } from './options.ts';
export { ReportSchema, type ClassStats, type Report, type Stats } from './report/schema.ts';
export type { InputSource } from './input/open.ts';
export { renderHtml, type HtmlInput } from './render/html.ts';
export { scorePartial, type PartialRunOptions } from './partial/score.ts';
export { mergePartials, partialReport } from './partial/merge.ts';
export { decodePartial, encodePartial, readPartialFile, PartialFileSchema, type PartialFile } from './partial/file.ts';
export type { RunPartial } from './partial/partial.ts';
export type { BatchRange, RunSignal } from './evaluate.ts';
export { submitRun, runReport, type SubmitOptions, type RunProgress } from './cluster/submit.ts';
export { startWorker, type ClusterWorker, type WorkerOptions } from './cluster/worker.ts';
export { shardsOf } from './cluster/shards.ts';
export type { ClusterTarget, Shard } from './cluster/jobs.ts';
