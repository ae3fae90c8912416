/**
 * A small, strict argument parser: `--flag`, `--key value`, `--key=value`, `-o value`, and
 * positionals. Unknown options are errors, so a typo never runs with a silent default.
 */

export interface OptionSpec {
  /** Long name without dashes, e.g. `label`. */
  readonly name: string;
  /** Single-letter alias without dash, e.g. `o`. */
  readonly alias?: string;
  /** `boolean` options take no value. */
  readonly kind: 'boolean' | 'string';
  readonly description: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | boolean>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s] as const));
  const byAlias = new Map(specs.filter((s) => s.alias).map((s) => [s.alias as string, s] as const));
  const positionals: string[] = [];
  const options = new Map<string, string | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const key = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      spec = byName.get(key);
      if (!spec) throw new UsageError(`unknown option --${key}`);
    } else if (arg.length === 2 && arg[0] === '-' && arg[1] !== '-') {
      spec = byAlias.get(arg[1]);
      if (!spec) throw new UsageError(`unknown option ${arg}`);
    } else {
      positionals.push(arg);
      continue;
    }
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      options.set(spec.name, true);
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${spec.name} needs a value`);
      options.set(spec.name, value);
    }
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

export function numberOption(args: ParsedArgs, name: string): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  // Number('') and Number(' ') are 0: an empty value is a mistake, not zero.
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

export function formatOptions(specs: readonly OptionSpec[]): string {
  return specs
    .map((s) => {
      const left = `  ${s.alias ? `-${s.alias}, ` : ''}--${s.name}${s.kind === 'string' ? ' VALUE' : ''}`;
      return `${left.padEnd(30)} ${s.description}`;
    })
    .join('\n');
}
