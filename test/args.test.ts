/**
 * The flag table of src/cli/args.ts against its two readers: parseCommand takes the flags in it
 * and no other, and usage() shows each one, with its alias and the default OptionsSchema fills
 * in, so that --help cannot miss a flag again (the hand-written text once left out
 * --input-format). The documented flags and aliases are written out here on purpose: the table
 * is what is under test, so they cannot come from it, and a flag dropped from it fails.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAGS, parseCommand, usage, type Command, type Flag } from '../src/cli/args.ts';
import { UsageError } from '../src/errors.ts';
import { OptionsSchema, type Options } from '../src/options.ts';
import { cli, requireBuild } from './support/cli.ts';

/** The flags README.md documents, and --help and --version. */
const DOCUMENTED = [
  'mode',
  'input',
  'label',
  'pred',
  'class-names',
  'gamma',
  'alpha',
  'alpha-scheme',
  'beta',
  'epsilon',
  'easy-threshold',
  'ignore-index',
  'histogram-bins',
  'on-invalid',
  'threads',
  'input-format',
  'format',
  'out',
  'emit',
  'html',
  'alpha-file',
  'calibration-bins',
  'top',
  'top-out',
  'help',
  'version',
];

/** alias → flag. */
const ALIASES: Record<string, string> = { g: 'gamma', a: 'alpha', t: 'threads', f: 'format', o: 'out', q: 'quiet', h: 'help' };

/** flag → the library option whose plain schema default help must show. */
const SCHEMA_DEFAULTS: Record<string, keyof Options> = {
  gamma: 'gamma',
  'alpha-scheme': 'alphaScheme',
  beta: 'beta',
  epsilon: 'epsilon',
  'easy-threshold': 'easyThreshold',
  'ignore-index': 'ignoreIndex',
  'histogram-bins': 'histogramBins',
  'on-invalid': 'onInvalid',
  'input-format': 'inputFormat',
  'calibration-bins': 'calibrationBins',
  top: 'top',
};

/** A command line that uses `flag` once (spelt `spelling`), with a value its kind can read. */
function argvWith(flag: Flag, spelling = `--${flag.name}`): string[] {
  if (flag.role === 'action') return [spelling];
  if (flag.role === 'cluster') return ['cluster', 'worker', spelling, ...(flag.value === undefined ? [] : ['1'])];
  if (flag.kind === 'switch') return ['score', 'data.arrow', spelling];
  // The first of the placeholder's choices (`table` of table|json), or a number (a range for --batches).
  const value = flag.name === 'batches' ? '0:1' : flag.kind === 'number' || flag.kind === 'gamma' ? '1' : flag.value.split('|')[0]!;
  return ['score', 'data.arrow', spelling, value];
}

/** Whether the flag did something in the parsed command: set its option or field, or made the command. */
function tookEffect(flag: Flag, cmd: Command): boolean {
  if (flag.role === 'action') return cmd.command === flag.name;
  if (flag.role === 'option') return flag.option in cmd.options;
  if (flag.role === 'cluster') return flag.name in cmd.cluster;
  const field = {
    format: cmd.format,
    out: cmd.out,
    emit: cmd.emit,
    html: cmd.html,
    'alpha-file': cmd.alphaFile,
    partial: cmd.partial,
    batches: cmd.batches,
    'top-out': cmd.topOut,
    quiet: cmd.quiet || undefined,
  }[flag.name];
  return field !== undefined;
}

/** Whether parseCommand takes the flag (a UsageError means it does not). */
function accepts(flag: Flag): boolean {
  try {
    return tookEffect(flag, parseCommand(argvWith(flag)));
  } catch (error) {
    if (error instanceof UsageError) return false;
    throw error;
  }
}

/**
 * The help a flag gets: its row and the wrapped lines under it, as one line. A row starts with
 * the flag (after `focal-eval ` in the usage block, after its alias or four spaces under the
 * options); a wrapped line starts at the description column.
 */
function helpRow(help: string, name: string): string | undefined {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^ {2}(?:focal-eval )?(?:-\\w, | {4})?--${name}(?: |$)`).test(line));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && /^ {10,}\S/.test(lines[end]!)) end++;
  return lines.slice(start, end).join(' ').replace(/\s+/g, ' ');
}

describe('parseCommand', () => {
  it('accepts every flag of the table', () => {
    expect(FLAGS.filter((flag) => !accepts(flag)).map((flag) => flag.name)).toEqual([]);
  });

  it('accepts each documented flag, by name and after =', () => {
    for (const name of DOCUMENTED) {
      const value = name === 'format' ? 'json' : '1';
      expect(() => parseCommand(['score', 'data.arrow', `--${name}=${value}`]), name).not.toThrow();
    }
  });

  it('rejects a flag the table does not have', () => {
    expect(() => parseCommand(['score', 'data.arrow', '--no-such-flag', '1'])).toThrow(UsageError);
    expect(() => parseCommand(['score', 'data.arrow', '--no-such-flag', '1'])).toThrow(/unknown flag --no-such-flag/);
  });

  it('reads each alias as its flag', () => {
    for (const [alias, name] of Object.entries(ALIASES)) {
      const flag = FLAGS.find((f) => f.name === name)!;
      expect(parseCommand(argvWith(flag, `-${alias}`)), alias).toEqual(parseCommand(argvWith(flag)));
    }
  });
});

describe('usage', () => {
  const help = usage();
  const defaults = OptionsSchema.parse({});

  it('lists every flag parseCommand accepts', () => {
    const accepted = FLAGS.filter(accepts).map((flag) => flag.name);
    expect(accepted).toContain('input-format');
    expect(accepted.filter((name) => helpRow(help, name) === undefined)).toEqual([]);
    expect(helpRow(help, 'input-format')).toContain('--input-format auto|arrow|parquet');
  });

  it('lists each documented flag', () => {
    expect(DOCUMENTED.filter((name) => helpRow(help, name) === undefined)).toEqual([]);
  });

  it('shows each alias beside its flag', () => {
    for (const [alias, name] of Object.entries(ALIASES)) {
      expect(helpRow(help, name), alias).toMatch(new RegExp(`^ (?:focal-eval )?-${alias}, --${name}(?: |$)`));
    }
  });

  it('shows the defaults OptionsSchema fills in', () => {
    for (const [name, option] of Object.entries(SCHEMA_DEFAULTS)) {
      expect(helpRow(help, name), name).toContain(`(${option}; default ${String(defaults[option])})`);
    }
  });

  it('shows the default alpha, null, as --alpha spells it: none', () => {
    expect(defaults.alpha).toBeNull();
    expect(helpRow(help, 'alpha')).toContain('(alpha; default none)');
  });

  it('writes no default twice: a computed default only where the schema has none', () => {
    const both = FLAGS.filter((flag) => flag.role === 'option' && flag.computedDefault !== undefined && defaults[flag.option] !== undefined);
    expect(both.map((flag) => flag.name)).toEqual([]);
  });

  it('keeps every line under 100 characters', () => {
    expect(help.split('\n').filter((line) => line.length >= 100)).toEqual([]);
  });
});

describe('focal-eval --help', () => {
  beforeAll(() => requireBuild());

  it('prints usage() on stdout, --input-format included, and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    const stdout = run.stdout.toString('utf8');
    expect(stdout).toContain('--input-format');
    expect(stdout).toBe(usage());
  });
});
