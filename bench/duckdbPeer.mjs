// The DuckDB peer of the bench: the statistics focal-eval reports, per class (count, sums of CE
// and FL, p_t, and their easy/hard split at gamma 2, epsilon 1e-7, p_t >= 0.5 easy), computed by
// one SQL query over a Parquet file, on DuckDB's own threads (one per core). Run as a process of
// its own, so that it is timed as focal-eval is: start-up included.
//
//   node bench/duckdbPeer.mjs FILE multiclass-probs|multilabel-logits   → JSON on stdout
//
// Plain JavaScript: tsx's loader would add its own start-up to DuckDB's time.
import { DuckDBInstance } from '@duckdb/node-api';

const [file, mode] = process.argv.slice(2);
const EPS = 1e-7;
const GAMMA = 2;

// Per unit: pt and ce; then FL = (1 - pt)^gamma * ce, easy when pt >= 0.5.
const units = {
  // probs: FixedSizeList<Float32>[C] written as a Parquet LIST; label: the class index.
  'multiclass-probs': `
    SELECT label AS grp, greatest(least(probs[label + 1]::DOUBLE, 1 - ${EPS}), ${EPS}) AS pt
    FROM read_parquet('${file}') WHERE label IS NOT NULL`,
  // logits and 0/1 targets, C per row: a unit per (row, class), grouped as focal-eval groups them
  // (class c's positives are group c, its negatives group C + c); ce is the log-sigmoid's.
  'multilabel-logits': `
    SELECT c - 1 + (1 - t) * classes AS grp, exp(-ce) AS pt, ce FROM (
      SELECT c, t, classes, greatest(zz, 0) + ln(1 + exp(-abs(zz))) AS ce FROM (
        SELECT c, t, classes, CASE WHEN t = 1 THEN -z ELSE z END AS zz FROM (
          SELECT unnest(logits)::DOUBLE AS z, unnest(label)::INTEGER AS t, unnest(range(1, len(logits) + 1)) AS c,
                 len(logits) AS classes
          FROM read_parquet('${file}'))))`,
}[mode];
if (units === undefined) throw new Error(`unknown mode ${mode}`);
const ce = mode === 'multiclass-probs' ? '-ln(pt)' : 'ce';
const sql = `
  SELECT grp, count(*) AS count, sum(${ce}) AS sumCE, sum(pow(1 - pt, ${GAMMA}) * ${ce}) AS sumFL, sum(pt) AS sumPt,
         count(*) FILTER (pt >= 0.5) AS easyCount,
         coalesce(sum(${ce}) FILTER (pt >= 0.5), 0) AS easyCE,
         coalesce(sum(pow(1 - pt, ${GAMMA}) * ${ce}) FILTER (pt >= 0.5), 0) AS easyFL
  FROM (${units}) GROUP BY grp ORDER BY grp`;

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(sql);
const groups = reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])));
process.stdout.write(JSON.stringify({ groups }) + '\n');
