import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportJsonSchema } from '../src/report/jsonSchema.ts';

describe('reportJsonSchema', () => {
  it('matches the JSON Schema shipped in schema/ (run `npm run schema` after changing the report)', () => {
    const shipped = readFileSync(new URL('../schema/report.schema.json', import.meta.url), 'utf8');
    expect(shipped).toBe(reportJsonSchema());
  });

  it('describes every top-level field of the report', () => {
    const schema = JSON.parse(reportJsonSchema()) as { required: string[] };
    expect(schema.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'mode', 'input', 'options', 'rows', 'scored', 'ignored', 'invalid', 'total', 'classes', 'alphaEstimates']),
    );
  });
});
