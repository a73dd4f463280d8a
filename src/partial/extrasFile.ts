/**
 * The extras of a partial file (extras.ts): calibration counts as JSON integers and the
 * confidence sums as float64 little-endian base64, as file.ts keeps the loss sums; the hardest
 * units as [row, class, group, p_t, fl] arrays of JSON numbers (a float64 printed by JSON.stringify
 * reads back as the same bits). Checked on read against the plan and the options.
 */
import * as z from '../zod.ts';
import { calibrationLength, calibrationShape, CAL_FIELDS } from '../kernel/calibration.ts';
import { groupsOf } from '../kernel/extras.ts';
import { UNIT_FIELDS } from '../kernel/topUnits.ts';
import type { Plan } from '../input/plan.ts';
import type { Options } from '../options.ts';
import { weightsBeforeRun } from '../report/extras.ts';
import type { RunExtras } from '../report/runExtras.ts';

const count = z.int().check(z.gte(0));

/** The calibration field of a partial file. */
export const CalibrationFileSchema = z.strictObject({ cells: count, pieces: count, counts: z.array(count), sums: z.string() });
/** The hardest field of a partial file. */
export const HardestFileSchema = z.strictObject({ k: count, weighted: z.boolean(), units: z.array(z.array(z.number())) });

/** The extras' fields of a partial file. */
export interface ExtrasFields {
  calibration?: z.infer<typeof CalibrationFileSchema>;
  hardest?: z.infer<typeof HardestFileSchema>;
}

/** The file's fields for a partial's extras. */
export function encodeExtras(extras: RunExtras | undefined): ExtrasFields {
  const fields: ExtrasFields = {};
  if (extras?.calibration) {
    const { cells, pieces, counts, sums } = extras.calibration;
    fields.calibration = { cells, pieces, counts: Array.from(counts), sums: base64Of(sums) };
  }
  if (extras?.hardest) {
    const { k, weighted, units } = extras.hardest;
    const list: number[][] = [];
    for (let i = 0; i < units.length; i += UNIT_FIELDS) list.push(Array.from(units.subarray(i, i + UNIT_FIELDS)));
    fields.hardest = { k, weighted, units: list };
  }
  return fields;
}

/** A partial's extras from its file's fields; `bad` makes the error for a field that does not fit. */
export function decodeExtras(fields: ExtrasFields, plan: Plan, opts: Options, bad: (why: string) => Error): RunExtras | undefined {
  const wantCalibration = opts.calibration;
  const wantTop = opts.top > 0;
  if (!wantCalibration && !wantTop) {
    if (fields.calibration || fields.hardest) throw bad('calibration or hardest units that the options do not ask for');
    return undefined;
  }
  const extras: RunExtras = { calibration: null, hardest: null };
  if (wantCalibration) {
    const cal = fields.calibration;
    if (!cal) throw bad('calibration: missing (the options ask for it)');
    const cells = calibrationLength(calibrationShape(plan.mode, plan.classes, opts.calibrationBins)) / CAL_FIELDS;
    if (cal.cells !== cells) throw bad(`calibration: ${cal.cells} cells, expected ${cells}`);
    if (cal.counts.length !== 2 * cells) throw bad(`calibration: ${cal.counts.length} counts, expected ${2 * cells}`);
    const bytes = Buffer.from(cal.sums, 'base64');
    if (bytes.length !== cal.pieces * cells * 8 || bytes.toString('base64') !== cal.sums) {
      throw bad(`calibration: sums of ${bytes.length} bytes, expected ${cal.pieces * cells * 8} (${cal.pieces} pieces)`);
    }
    const sums = floatsOf(bytes);
    const at = sums.findIndex((v) => !Number.isFinite(v) || v < 0);
    if (at >= 0) throw bad(`calibration: sum ${at} is ${sums[at]}`);
    extras.calibration = { cells, pieces: cal.pieces, counts: Float64Array.from(cal.counts), sums };
  } else if (fields.calibration) throw bad('calibration that the options do not ask for');
  if (wantTop) {
    const top = fields.hardest;
    if (!top) throw bad('hardest: missing (the options ask for it)');
    if (top.k !== opts.top) throw bad(`hardest: k ${top.k}, the options say ${opts.top}`);
    const weighted = weightsBeforeRun(plan, opts) !== null;
    if (top.weighted !== weighted) throw bad(`hardest: kept ${top.weighted ? 'by loss' : 'per group'}, the options say ${weighted ? 'by loss' : 'per group'}`);
    const groups = groupsOf(plan.mode, plan.classes);
    const units = new Float64Array(top.units.length * UNIT_FIELDS);
    top.units.forEach((u, i) => {
      const [row, cls, group, pt, fl] = u;
      const fits =
        u.length === UNIT_FIELDS &&
        Number.isInteger(row) && row! >= 0 &&
        Number.isInteger(cls) && cls! >= 0 && cls! < plan.classes &&
        Number.isInteger(group) && group! >= 0 && group! < groups &&
        pt! >= 0 && pt! <= 1 &&
        Number.isFinite(fl) && fl! >= 0;
      if (!fits) throw bad(`hardest: unit ${i} is not [row, class, group, p_t, fl]: ${JSON.stringify(u)}`);
      units.set(u, i * UNIT_FIELDS);
    });
    extras.hardest = { k: top.k, weighted, units };
  } else if (fields.hardest) throw bad('hardest units that the options do not ask for');
  return extras;
}

function base64Of(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return Buffer.from(bytes).toString('base64');
}

function floatsOf(bytes: Buffer): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
