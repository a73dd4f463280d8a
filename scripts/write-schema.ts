/** Writes schema/report.schema.json (the report's JSON Schema, shipped in the package) from the zod schema. */
import { writeFileSync } from 'node:fs';
import { reportJsonSchema } from '../src/report/jsonSchema.ts';

writeFileSync(new URL('../schema/report.schema.json', import.meta.url), reportJsonSchema());
