/**
 * The command line, parsed: `score` and `alphas`, each flag the kebab-case of a library option
 * (spec §6). Values may follow as the next argument (a negative number too) or after `=`.
 * Parsing only turns strings into the option shapes; zod (options.ts) judges them, so the
 * rules and defaults exist once.
 */
import { UsageError } from '../errors.ts';
import type { OptionsInput } from '../options.ts';

/** A parsed command line. */
export interface Command {
  command: 'score' | 'alphas' | 'help' | 'version';
  file: string;
  options: OptionsInput;
  format: 'table' | 'json' | undefined;
  out: string | undefined;
  emit: string | undefined;
  alphaFile: string | undefined;
}

type Kind = 'string' | 'number' | 'list' | 'alpha';

/** Flags that map to library options: flag → [option name, how its value is read]. */
const OPTION_FLAGS: Record<string, [keyof OptionsInput, Kind]> = {
  mode: ['mode', 'string'],
  input: ['input', 'string'],
  label: ['label', 'string'],
  pred: ['pred', 'string'],
  'class-names': ['classNames', 'list'],
  gamma: ['gamma', 'number'],
  alpha: ['alpha', 'alpha'],
  'alpha-scheme': ['alphaScheme', 'string'],
  beta: ['beta', 'number'],
  epsilon: ['epsilon', 'number'],
  'easy-threshold': ['easyThreshold', 'number'],
  'ignore-index': ['ignoreIndex', 'number'],
  'histogram-bins': ['histogramBins', 'number'],
  'on-invalid': ['onInvalid', 'string'],
  threads: ['threads', 'number'],
  'input-format': ['inputFormat', 'string'],
};

/** Flags of the command itself, not of the library. */
const COMMAND_FLAGS = new Set(['format', 'out', 'emit', 'alpha-file']);
const ALIASES: Record<string, string> = { g: 'gamma', a: 'alpha', t: 'threads', f: 'format', o: 'out', h: 'help' };

/** Parses argv (without node and the script); a bad flag or value is a UsageError naming it. */
export function parseCommand(argv: readonly string[]): Command {
  const cmd: Command = {
    command: 'help',
    file: '',
    options: {},
    format: undefined,
    out: undefined,
    emit: undefined,
    alphaFile: undefined,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.indexOf('=');
    const rawName = arg.replace(/^--?/, '').slice(0, eq < 0 ? undefined : eq - (arg.startsWith('--') ? 2 : 1));
    const name = ALIASES[rawName] ?? rawName;
    if (name === 'help' || name === 'version') {
      cmd.command = name;
      return cmd;
    }
    if (!(name in OPTION_FLAGS) && !COMMAND_FLAGS.has(name)) throw new UsageError(`unknown flag ${arg.split('=')[0]}`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new UsageError(`flag --${name} needs a value`, name);
    if (COMMAND_FLAGS.has(name)) setCommandFlag(cmd, name, value);
    else {
      const [option, kind] = OPTION_FLAGS[name]!;
      (cmd.options as Record<string, unknown>)[option] = readValue(name, kind, value);
    }
  }
  const [command, file, ...extra] = positional;
  if (command === undefined) return cmd;
  if (command !== 'score' && command !== 'alphas') throw new UsageError(`unknown command "${command}" (expected score or alphas)`);
  if (file === undefined) throw new UsageError(`${command} needs an input: a file, or - for stdin`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  cmd.command = command;
  cmd.file = file;
  return cmd;
}

function setCommandFlag(cmd: Command, name: string, value: string): void {
  if (name === 'format') {
    if (value !== 'table' && value !== 'json') throw new UsageError(`--format must be table or json, not "${value}"`, 'format');
    cmd.format = value;
  } else if (name === 'out') cmd.out = value;
  else if (name === 'emit') cmd.emit = value;
  else cmd.alphaFile = value;
}

function readValue(flag: string, kind: Kind, value: string): unknown {
  switch (kind) {
    case 'string':
      return value;
    case 'list':
      return value.split(',').map((s) => s.trim());
    case 'number':
      return toNumber(flag, value);
    case 'alpha':
      if (value === 'none') return null;
      if (value === 'auto') return 'auto';
      return value.includes(',') ? value.split(',').map((v) => toNumber(flag, v)) : toNumber(flag, value);
  }
}

function toNumber(flag: string, value: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (trimmed === '' || Number.isNaN(n)) throw new UsageError(`--${flag}: "${value}" is not a number`, flag);
  return n;
}
