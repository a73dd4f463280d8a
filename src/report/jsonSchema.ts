/** The report's JSON Schema (draft 2020-12), generated from the zod schema so the two cannot drift. */
import { toJSONSchema } from 'zod/mini';
import { ReportSchema } from './schema.ts';

/** The JSON Schema of the report, as the text shipped in schema/report.schema.json. */
export function reportJsonSchema(): string {
  return JSON.stringify(toJSONSchema(ReportSchema, { target: 'draft-2020-12' }), null, 2) + '\n';
}
