/**
 * The command line, parsed and explained: `score` and `alphas`, each flag the kebab-case of a
 * library option (spec §6). Values may follow as the next argument (a negative number too) or
 * after `=`. Parsing only turns strings into the option shapes; zod (options.ts) judges them, so
 * the rules and defaults exist once.
 *
 * Every flag lives once, in FLAGS: parseCommand reads it to know the flags, and usage() renders
 * the --help text from it, so help cannot miss a flag the parser takes (a hand-written text
 * once left out --input-format). The defaults help shows are read from OptionsSchema where they
 * are plain values there; only defaults computed at run time (one thread per core, a column
 * chosen by the data) are written here, as text.
 */
import { UsageError } from '../errors.ts';
import { PRED_COLUMNS } from '../input/plan.ts';
import { OptionsSchema, type Options, type OptionsInput } from '../options.ts';
import { FLSD_53 } from '../kernel/sweep.ts';

/** A parsed command line. */
export interface Command {
  command: 'score' | 'alphas' | 'merge' | 'cluster' | 'help' | 'version';
  file: string;
  /** merge: the partial files; cluster submit: the shards; cluster report: the run id. */
  files: string[];
  /** cluster: submit, worker or report. */
  sub: 'submit' | 'worker' | 'report' | undefined;
  /** --partial FILE: write the partial state instead of the report (score, merge). */
  partial: string | undefined;
  /** --batches S:E (score): only these batches of the input. */
  batches: { start: number; end: number } | undefined;
  /** The cluster flags given, by name (cluster.ts reads them). */
  cluster: Record<string, string | true>;
  options: OptionsInput;
  format: 'table' | 'json' | undefined;
  out: string | undefined;
  emit: string | undefined;
  /** --html FILE: also write the report as a self-contained HTML page. */
  html: string | undefined;
  alphaFile: string | undefined;
  /** --top-out FILE: the hardest units as CSV (.csv) or JSON. */
  topOut: string | undefined;
  /** --quiet: no progress line on stderr. */
  quiet: boolean;
}

/** How a flag's value is read before zod judges it. */
export type Kind = 'string' | 'number' | 'list' | 'alpha' | 'gamma' | 'switch';

/** One flag of the CLI: what it sets, how its value is read, and its line of help. */
export type Flag = OptionFlag | CommandFlag | ActionFlag | ClusterFlag;

interface FlagHelp {
  /** The flag without its dashes: `gamma` for `--gamma`. */
  readonly name: string;
  /** A one-letter alias: `g` for `-g`. */
  readonly alias?: string;
  /** One line of help (help wraps it when it is long). */
  readonly description: string;
}

/** A flag that sets a library option; OptionsSchema judges its value and holds its default. */
interface OptionFlag extends FlagHelp {
  readonly role: 'option';
  readonly option: keyof Options;
  readonly kind: Kind;
  /** The value's placeholder in help: `G`, `error|skip` (empty for a switch, which takes none). */
  readonly value: string;
  /** A default computed at run time; a plain default is read from OptionsSchema instead. */
  readonly computedDefault?: string;
  /** Other options this flag also sets (--calibration-bins turns --calibration on). */
  readonly implies?: Partial<Record<keyof Options, unknown>>;
}

/** A flag of the command itself, not of the library (setCommandFlag reads its value). */
interface CommandFlag extends FlagHelp {
  readonly role: 'command';
  readonly name: 'format' | 'out' | 'emit' | 'html' | 'alpha-file' | 'partial' | 'batches' | 'top-out' | 'quiet';
  readonly kind: 'string' | 'switch';
  readonly value: string;
  readonly computedDefault?: string;
}

/** A flag of `focal-eval cluster` (cluster.ts reads its value); a switch takes none. */
interface ClusterFlag extends FlagHelp {
  readonly role: 'cluster';
  readonly value?: string;
  readonly computedDefault?: string;
}

/** A flag that takes no value and is the whole command line's meaning. */
interface ActionFlag extends FlagHelp {
  readonly role: 'action';
  readonly name: 'help' | 'version';
}

/** Every flag of the CLI, once, in the order help lists them. */
export const FLAGS: readonly Flag[] = [
  {
    role: 'option',
    name: 'mode',
    option: 'mode',
    kind: 'string',
    value: 'binary|multiclass|multilabel',
    description: 'the task',
    computedDefault: 'from the column types',
  },
  {
    role: 'option',
    name: 'input',
    option: 'input',
    kind: 'string',
    value: 'probs|logits',
    description: 'what the prediction column holds',
    computedDefault: 'logits when its name starts with "logit", else probs',
  },
  {
    role: 'option',
    name: 'label',
    option: 'label',
    kind: 'string',
    value: 'COL',
    description: 'the label column',
  },
  {
    role: 'option',
    name: 'pred',
    option: 'pred',
    kind: 'string',
    value: 'COL',
    description: 'the prediction column',
    computedDefault: `the first of ${PRED_COLUMNS.join(', ')}`,
  },
  {
    role: 'option',
    name: 'class-names',
    option: 'classNames',
    kind: 'list',
    value: 'a,b,c',
    description: 'the class names, in label order',
    computedDefault: 'from a dictionary-encoded label, else 0..C-1',
  },
  {
    role: 'option',
    name: 'gamma',
    alias: 'g',
    option: 'gamma',
    kind: 'gamma',
    value: 'G|g0,g1,...',
    description: 'the focusing parameter; a list (FLSD-53 among them) adds a sweep, the first number is the main gamma',
  },
  {
    role: 'option',
    name: 'alpha',
    alias: 'a',
    option: 'alpha',
    kind: 'alpha',
    value: 'none|auto|A|a0,a1,...',
    description: 'class weights: none, estimated (auto), a scalar, or one per class',
  },
  {
    role: 'option',
    name: 'alpha-scheme',
    option: 'alphaScheme',
    kind: 'string',
    value: 'inverse|balanced|inverse-sqrt|effective|median',
    description: 'how --alpha auto estimates the weights',
  },
  {
    role: 'option',
    name: 'beta',
    option: 'beta',
    kind: 'number',
    value: 'B',
    description: 'beta of the effective-number scheme',
  },
  {
    role: 'option',
    name: 'epsilon',
    option: 'epsilon',
    kind: 'number',
    value: 'E',
    description: 'probabilities are clamped to [E, 1 - E]',
  },
  {
    role: 'option',
    name: 'easy-threshold',
    option: 'easyThreshold',
    kind: 'number',
    value: 'T',
    description: 'a unit is easy when p_t >= T',
  },
  {
    role: 'option',
    name: 'ignore-index',
    option: 'ignoreIndex',
    kind: 'number',
    value: 'I',
    description: 'rows labelled I are ignored',
  },
  {
    role: 'option',
    name: 'histogram-bins',
    option: 'histogramBins',
    kind: 'number',
    value: 'K',
    description: 'bins of the p_t histogram',
  },
  {
    role: 'option',
    name: 'concentration-bins',
    option: 'concentrationBins',
    kind: 'number',
    value: 'F',
    description: 'fine p_t bins for the loss concentration (the hardest x% of units); 0: none',
  },
  {
    role: 'option',
    name: 'on-invalid',
    option: 'onInvalid',
    kind: 'string',
    value: 'error|skip',
    description: 'an invalid row stops the run, or is counted and left out',
  },
  {
    role: 'option',
    name: 'calibration',
    option: 'calibration',
    kind: 'switch',
    value: '',
    description: 'score: also the expected calibration error (ECE) and reliability bins, overall and per class',
  },
  {
    role: 'option',
    name: 'calibration-bins',
    option: 'calibrationBins',
    kind: 'number',
    value: 'N',
    description: 'equal-width bins of the calibration error (implies --calibration)',
    implies: { calibration: true },
  },
  {
    role: 'option',
    name: 'top',
    option: 'top',
    kind: 'number',
    value: 'K',
    description: 'score: also the K hardest units (largest loss), in the report\'s "hardest"',
  },
  {
    role: 'option',
    name: 'threads',
    alias: 't',
    option: 'threads',
    kind: 'number',
    value: 'N',
    description: 'worker threads',
    computedDefault: 'one per core',
  },
  {
    role: 'option',
    name: 'task-timeout',
    option: 'taskTimeout',
    kind: 'number',
    value: 'S',
    description: 'seconds one batch may take on a worker before the run stops (0: no watchdog)',
  },
  {
    role: 'option',
    name: 'max-batch-bytes',
    option: 'maxBatchBytes',
    kind: 'number',
    value: 'N',
    description: 'refuse a batch (Parquet: row group) that declares more bytes than this',
    computedDefault: '2 GiB, or a quarter of the memory if less',
  },
  {
    role: 'option',
    name: 'input-format',
    option: 'inputFormat',
    kind: 'string',
    value: 'auto|arrow|parquet',
    description: 'read a file by its first bytes, or as Arrow IPC or Parquet',
  },
  {
    role: 'command',
    name: 'format',
    alias: 'f',
    kind: 'string',
    value: 'table|json',
    description: 'how the report is printed',
    computedDefault: 'table on a terminal, json otherwise',
  },
  {
    role: 'command',
    name: 'out',
    alias: 'o',
    kind: 'string',
    value: 'FILE',
    description: 'write the report to FILE instead of stdout (alphas: the estimates with class names, for --alpha-file)',
  },
  {
    role: 'command',
    name: 'emit',
    kind: 'string',
    value: 'FILE|-',
    description: "score: also write the input's batches with per-row p_t, ce, focal_loss, easy columns as an Arrow IPC stream",
  },
  {
    role: 'command',
    name: 'html',
    kind: 'string',
    value: 'FILE',
    description: 'score, merge, cluster: also write the report as one self-contained HTML page of charts and tables',
  },
  {
    role: 'command',
    name: 'alpha-file',
    kind: 'string',
    value: 'FILE',
    description: 'apply alphas saved by `focal-eval alphas --out FILE`',
  },
  {
    role: 'command',
    name: 'partial',
    kind: 'string',
    value: 'FILE|-',
    description: "score, merge: write the run's mergeable partial state to FILE instead of the report",
  },
  {
    role: 'command',
    name: 'batches',
    kind: 'string',
    value: 'S:E',
    description: 'score: only batches S to E - 1 of the input (0-based; Parquet: row groups), a shard of a big file',
  },
  {
    role: 'command',
    name: 'top-out',
    kind: 'string',
    value: 'FILE',
    description: 'score: write the hardest units (--top) to FILE, as CSV when it ends in .csv, else as JSON',
  },
  {
    role: 'command',
    name: 'quiet',
    alias: 'q',
    kind: 'switch',
    value: '',
    description: 'no progress line on stderr (shown only on a terminal, for runs over about a second)',
  },
  { role: 'cluster', name: 'redis', value: 'URL', description: 'the Redis server', computedDefault: '$FOCAL_EVAL_REDIS, else redis://127.0.0.1:6379' },
  { role: 'cluster', name: 'queue', value: 'NAME', description: 'the BullMQ queue', computedDefault: 'focal-eval' },
  { role: 'cluster', name: 'prefix', value: 'P', description: "BullMQ's key prefix (Redis Cluster: a {hash-tag})", computedDefault: 'bull' },
  { role: 'cluster', name: 'run', value: 'ID', description: "submit: the run's id", computedDefault: 'a hash of the shards and options' },
  { role: 'cluster', name: 'split', value: 'N', description: 'submit: a job per N batches of each file (Parquet: row groups)', computedDefault: 'a job per file' },
  { role: 'cluster', name: 'attempts', value: 'N', description: 'submit: tries per shard when a worker fails', computedDefault: '3' },
  { role: 'cluster', name: 'detach', description: 'submit: print the run id and return, without waiting for the report' },
  { role: 'cluster', name: 'concurrency', value: 'N', description: 'worker: shards scored at a time', computedDefault: '1' },
  { role: 'cluster', name: 'lock-duration', value: 'MS', description: "worker: a shard's lock; a dead worker's shard is retried after it", computedDefault: '30000' },
  { role: 'cluster', name: 'stalled-interval', value: 'MS', description: 'worker: how often dead workers are looked for', computedDefault: '30000' },
  { role: 'cluster', name: 'exit-when-idle', description: 'worker: exit once the queue has no job waiting or running' },
  { role: 'action', name: 'help', alias: 'h', description: 'this text' },
  { role: 'action', name: 'version', description: "focal-eval's version" },
];

const BY_NAME = new Map<string, Flag>(FLAGS.map((flag) => [flag.name, flag]));
const BY_ALIAS = new Map<string, string>(FLAGS.flatMap((flag) => (flag.alias === undefined ? [] : [[flag.alias, flag.name]])));

/** Parses argv (without node and the script); a bad flag or value is a UsageError naming it. */
export function parseCommand(argv: readonly string[]): Command {
  const cmd: Command = {
    command: 'help',
    file: '',
    files: [],
    sub: undefined,
    partial: undefined,
    batches: undefined,
    cluster: {},
    options: {},
    format: undefined,
    out: undefined,
    emit: undefined,
    html: undefined,
    alphaFile: undefined,
    topOut: undefined,
    quiet: false,
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
    const name = BY_ALIAS.get(rawName) ?? rawName;
    const flag = BY_NAME.get(name);
    if (flag === undefined) throw new UsageError(`unknown flag ${arg.split('=')[0]}`);
    if (flag.role === 'action') {
      cmd.command = flag.name;
      return cmd;
    }
    if (flag.role === 'cluster' && flag.value === undefined) {
      if (eq >= 0) throw new UsageError(`flag --${name} takes no value`, name);
      cmd.cluster[name] = true;
      continue;
    }
    if ((flag.role === 'option' || flag.role === 'command') && flag.kind === 'switch') {
      if (eq >= 0) throw new UsageError(`flag --${name} takes no value`, name);
      if (flag.role === 'option') (cmd.options as Record<string, unknown>)[flag.option] = true;
      else cmd.quiet = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new UsageError(`flag --${name} needs a value`, name);
    if (flag.role === 'command') setCommandFlag(cmd, flag.name, value);
    else if (flag.role === 'cluster') cmd.cluster[name] = value;
    else {
      Object.assign(cmd.options, flag.implies);
      (cmd.options as Record<string, unknown>)[flag.option] = readValue(name, flag.kind, value);
    }
  }
  const [command, file, ...extra] = positional;
  if (command === undefined) return cmd;
  if (command === 'merge') {
    if (positional.length < 2) throw new UsageError('merge needs partial files: focal-eval merge A.partial B.partial ...');
    return { ...cmd, command, files: positional.slice(1) };
  }
  if (command === 'cluster') return clusterCommand(cmd, positional.slice(1));
  if (Object.keys(cmd.cluster).length > 0) throw new UsageError(`--${Object.keys(cmd.cluster)[0]} goes with focal-eval cluster`);
  if (command !== 'score' && command !== 'alphas') {
    throw new UsageError(`unknown command "${command}" (expected score, alphas, merge or cluster)`);
  }
  if (file === undefined) throw new UsageError(`${command} needs an input: a file, or - for stdin`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  cmd.command = command;
  cmd.file = file;
  return cmd;
}

function clusterCommand(cmd: Command, args: string[]): Command {
  const [sub, ...rest] = args;
  if (sub === 'submit') {
    if (rest.length === 0) throw new UsageError('cluster submit needs shards: files (Arrow IPC or Parquet) to score');
  } else if (sub === 'worker') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (cluster worker takes none)`);
  } else if (sub === 'report') {
    if (rest.length !== 1) throw new UsageError('cluster report needs one run id (as cluster submit --detach printed it)');
  } else throw new UsageError(`unknown cluster command "${sub ?? ''}" (expected submit, worker or report)`);
  return { ...cmd, command: 'cluster', sub, files: rest };
}

function setCommandFlag(cmd: Command, name: CommandFlag['name'], value: string): void {
  if (name === 'format') {
    if (value !== 'table' && value !== 'json') throw new UsageError(`--format must be table or json, not "${value}"`, 'format');
    cmd.format = value;
  } else if (name === 'out') cmd.out = value;
  else if (name === 'emit') cmd.emit = value;
  else if (name === 'html') {
    if (value === '-') throw new UsageError('--html needs a file: the page is not written to stdout', 'html');
    cmd.html = value;
  }
  else if (name === 'partial') cmd.partial = value;
  else if (name === 'top-out') cmd.topOut = value;
  else if (name === 'batches') {
    const m = /^(\d+):(\d+)$/.exec(value);
    if (m === null || Number(m[2]) <= Number(m[1])) throw new UsageError(`--batches must be S:E with 0 <= S < E, not "${value}"`, 'batches');
    cmd.batches = { start: Number(m[1]), end: Number(m[2]) };
  } else cmd.alphaFile = value;
}

function readValue(flag: string, kind: Kind, value: string): unknown {
  switch (kind) {
    case 'string':
      return value;
    case 'list':
      return value.split(',').map((s) => s.trim());
    case 'number':
      return toNumber(flag, value);
    case 'gamma':
      if (!value.includes(',')) return value.trim() === FLSD_53 ? [FLSD_53] : toNumber(flag, value);
      return value.split(',').map((v) => (v.trim() === FLSD_53 ? FLSD_53 : toNumber(flag, v)));
    case 'switch':
      return true;
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

/** The two commands, as help shows them. */
const COMMANDS: readonly (readonly [synopsis: string, description: string])[] = [
  ['score <file | -> [options]', 'per-class focal loss, easy/hard split, alpha estimates'],
  ['alphas <file | -> [options]', 'alpha estimates from the class frequencies'],
  ['merge <a.partial> [b.partial ...]', 'the report of one run over the partials\' inputs, in order'],
  ['cluster submit <files...> [options]', 'score the files as BullMQ jobs on Redis, merge, print the report'],
  ['cluster worker', 'score jobs from Redis on this machine, until stopped'],
  ['cluster report <run>', "a submitted run's report"],
];

// The layout of the hand-written text this replaced: descriptions from column 43, lines kept
// under 100 characters (a longer description wraps, a longer flag puts it on the next line).
const INDENT = '  ';
const COLUMN = 43;
const WIDTH = 99;

/** The --help text, rendered from FLAGS, with the defaults OptionsSchema fills in. */
export function usage(): string {
  const defaults = OptionsSchema.parse({});
  const rows = (role: Flag['role']) =>
    FLAGS.filter((flag) => flag.role === role).flatMap((flag) => row(flagColumn(flag), helpOf(flag, defaults)));
  const actions = FLAGS.filter((flag) => flag.role === 'action');
  return [
    'focal-eval: focal loss over Arrow prediction dumps',
    '',
    'usage:',
    ...COMMANDS.flatMap(([synopsis, description]) => row(`focal-eval ${synopsis}`, description.split(' '))),
    ...actions.flatMap((flag) => row(`focal-eval ${flagColumn(flag).trim()}`, flag.description.split(' '))),
    '',
    'data options (library option in parentheses):',
    ...rows('option'),
    '',
    'output:',
    ...rows('command'),
    '',
    'cluster (BullMQ on Redis):',
    ...rows('cluster'),
    '',
  ].join('\n');
}

/** `-g, --gamma G`; a flag without an alias is indented so that the `--` line up. */
function flagColumn(flag: Flag): string {
  const alias = flag.alias === undefined ? '    ' : `-${flag.alias}, `;
  const value = flag.role === 'action' || flag.value === undefined || flag.value === '' ? '' : ` ${flag.value}`;
  return `${alias}--${flag.name}${value}`;
}

/**
 * The words of a flag's help: its description, then the library option and the default in
 * parentheses, kept in one piece when it fits on a line (so that `default` and its value stay
 * together).
 */
function helpOf(flag: Flag, defaults: Options): string[] {
  const words = flag.description.split(' ');
  if (flag.role === 'action') return words;
  const notes: string[] = flag.role === 'option' ? [flag.option] : [];
  if (flag.computedDefault !== undefined) notes.push(`default: ${flag.computedDefault}`);
  else if (flag.role === 'option' && defaults[flag.option] !== undefined) notes.push(`default ${shown(defaults[flag.option])}`);
  if (notes.length === 0) return words;
  const note = `(${notes.join('; ')})`;
  return [...words, ...(note.length <= WIDTH - COLUMN ? [note] : note.split(' '))];
}

/** A default as the flag would spell it: null is `none` (as --alpha reads it), a list comma-separated. */
function shown(value: unknown): string {
  if (value === null) return 'none';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** One or more lines: `left`, then `words` from COLUMN, wrapped at WIDTH. */
function row(left: string, words: readonly string[]): string[] {
  const lines: string[] = [];
  let line = INDENT + left;
  if (line.length + 2 > COLUMN) {
    lines.push(line);
    line = '';
  }
  line = line.padEnd(COLUMN);
  words.forEach((word, i) => {
    if (i > 0 && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(COLUMN) + word;
    } else line += (i > 0 ? ' ' : '') + word;
  });
  lines.push(line);
  return lines;
}
