/**
 * Per-dataset transforms of an experiment (`datasets[i].transform`): their shape, and their
 * expressions parsed by arquero's own parser into syntax trees, never compiled or run here. The
 * language server checks experiments with this module alone, so an experiment file opened in an
 * untrusted workspace has its expressions parsed, not evaluated; only applyTransforms.ts (the
 * trainer and `predict`, which Restricted Mode does not run) evaluates them.
 *
 *   { "rename": { "Temp (max)": "temp_max" } }       old name -> new name
 *   { "derive": { "temp_c": "d => (d.temp_f - 32) * 5 / 9" } }   new or replaced columns
 *   { "filter": "d => d.temp_c > -60" }              keep the rows where it is true
 *   { "recode": { "weather": { "Sunny": "sun" } } }   label (or any column's) values, as text
 *   { "select": ["temp_c", "weather"] }               keep these columns, in this order
 */
import { parse as parseArquero, walk_ast } from 'arquero';

export type TransformStep =
  | { readonly kind: 'rename'; readonly path: string; readonly map: Readonly<Record<string, string>> }
  | { readonly kind: 'derive'; readonly path: string; readonly exprs: readonly ParsedExpression[] }
  | { readonly kind: 'filter'; readonly path: string; readonly expr: ParsedExpression }
  | { readonly kind: 'recode'; readonly path: string; readonly columns: Readonly<Record<string, Readonly<Record<string, string>>>> }
  | { readonly kind: 'select'; readonly path: string; readonly columns: readonly string[] };

export interface ParsedExpression {
  /** The output column (derive) or '' (filter). */
  readonly name: string;
  readonly source: string;
  /** JSON path of the expression string. */
  readonly path: string;
  /** Columns the expression reads (`d.x`, `d['x y']`). */
  readonly columns: readonly string[];
}

export interface TransformIssue {
  readonly path: string;
  readonly message: string;
}

export const TRANSFORM_KINDS = ['rename', 'derive', 'filter', 'recode', 'select'] as const;

/** JSON path of an object key: `.name` when it is an identifier, else `["the name"]`. */
export function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Nothing is compiled: arquero builds syntax trees only, and any attempt to compile throws. */
const NO_COMPILE = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('transform expressions are never compiled while checking');
    },
  },
);

/** Parses one arquero table expression (syntax only) and lists the columns it reads. */
export function parseExpression(name: string, source: string, path: string): ParsedExpression | TransformIssue {
  let ast: unknown;
  try {
    ast = (parseArquero({ [name || 'filter']: source }, { ast: true, compiler: NO_COMPILE } as Parameters<typeof parseArquero>[1]) as { exprs: unknown[] }).exprs[0];
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return { path, message: `not a valid arquero expression: ${why}` };
  }
  const columns = new Set<string>();
  walk_ast(ast as never, null as never, {
    Column: (node: { name: string }) => {
      columns.add(node.name);
    },
  } as never, undefined as never);
  return { name, source, path, columns: [...columns] };
}

function stringMap(v: unknown, path: string, issues: TransformIssue[], what: string): Record<string, string> | undefined {
  if (!isObj(v) || Object.keys(v).length === 0) {
    issues.push({ path, message: `must be a non-empty object mapping ${what}` });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' || x === '') issues.push({ path: keyPath(path, k), message: 'must be a non-empty string' });
    else out[k] = x;
  }
  return out;
}

/** Checks a `transform` list and parses its expressions; every issue carries its JSON path. */
export function parseTransformSteps(value: unknown, path: string): { steps: TransformStep[]; issues: TransformIssue[] } {
  const steps: TransformStep[] = [];
  const issues: TransformIssue[] = [];
  if (!Array.isArray(value)) {
    issues.push({ path, message: 'must be an array of steps, each one of rename, derive, filter, recode, select' });
    return { steps, issues };
  }
  value.forEach((step: unknown, i) => {
    const p = `${path}[${i}]`;
    const keys = isObj(step) ? Object.keys(step) : [];
    if (!isObj(step) || keys.length !== 1 || !(TRANSFORM_KINDS as readonly string[]).includes(keys[0])) {
      issues.push({ path: p, message: `each step is an object with exactly one of ${TRANSFORM_KINDS.join(', ')}${keys.length ? ` (got ${keys.map((k) => `"${k}"`).join(', ')})` : ''}` });
      return;
    }
    const kind = keys[0] as (typeof TRANSFORM_KINDS)[number];
    const body = step[kind];
    const sp = `${p}.${kind}`;
    switch (kind) {
      case 'rename': {
        const map = stringMap(body, sp, issues, 'old column names to new ones');
        if (map) steps.push({ kind, path: sp, map });
        break;
      }
      case 'derive': {
        if (!isObj(body) || Object.keys(body).length === 0) {
          issues.push({ path: sp, message: 'must be a non-empty object mapping new column names to arquero expressions, e.g. {"temp_c": "d => (d.temp_f - 32) * 5 / 9"}' });
          break;
        }
        const exprs: ParsedExpression[] = [];
        for (const [name, src] of Object.entries(body)) {
          const ep = keyPath(sp, name);
          if (typeof src !== 'string' || src.trim() === '') {
            issues.push({ path: ep, message: 'must be an arquero expression in a string, e.g. "d => d.x * 2"' });
            continue;
          }
          const parsed = parseExpression(name, src, ep);
          if ('message' in parsed) issues.push(parsed);
          else exprs.push(parsed);
        }
        if (exprs.length === Object.keys(body).length) steps.push({ kind, path: sp, exprs });
        break;
      }
      case 'filter': {
        if (typeof body !== 'string' || body.trim() === '') {
          issues.push({ path: sp, message: 'must be an arquero expression in a string, e.g. "d => d.temp > -50"' });
          break;
        }
        const parsed = parseExpression('', body, sp);
        if ('message' in parsed) issues.push(parsed);
        else steps.push({ kind, path: sp, expr: parsed });
        break;
      }
      case 'recode': {
        if (!isObj(body) || Object.keys(body).length === 0) {
          issues.push({ path: sp, message: 'must be an object mapping a column name to {"old value": "new value", ...}' });
          break;
        }
        const columns: Record<string, Record<string, string>> = {};
        let ok = true;
        for (const [col, map] of Object.entries(body)) {
          const m = stringMap(map, keyPath(sp, col), issues, 'old values to new ones');
          if (m) columns[col] = m;
          else ok = false;
        }
        if (ok) steps.push({ kind, path: sp, columns });
        break;
      }
      case 'select': {
        if (!Array.isArray(body) || body.length === 0 || body.some((c) => typeof c !== 'string' || c === '')) {
          issues.push({ path: sp, message: 'must be a non-empty array of column names' });
          break;
        }
        steps.push({ kind, path: sp, columns: body as string[] });
        break;
      }
    }
  });
  return { steps, issues };
}

/**
 * The columns after the steps, from the columns before (names only), with every reference to
 * a column that does not exist at that step: the check the trainer makes before applying and
 * the language server makes when it knows a dataset's header.
 */
export function checkTransformColumns(columns: readonly string[], steps: readonly TransformStep[]): { columns: string[]; issues: TransformIssue[] } {
  let cols = [...columns];
  const issues: TransformIssue[] = [];
  const missing = (path: string, name: string) => issues.push({ path, message: `column "${name}" does not exist at this step (columns: ${cols.join(', ')})` });
  for (const step of steps) {
    switch (step.kind) {
      case 'rename':
        for (const [from, to] of Object.entries(step.map)) {
          if (!cols.includes(from)) missing(keyPath(step.path, from), from);
          else cols = cols.map((c) => (c === from ? to : c));
        }
        break;
      case 'derive':
        for (const e of step.exprs) for (const c of e.columns) if (!cols.includes(c)) missing(e.path, c);
        for (const e of step.exprs) if (!cols.includes(e.name)) cols.push(e.name);
        break;
      case 'filter':
        for (const c of step.expr.columns) if (!cols.includes(c)) missing(step.path, c);
        break;
      case 'recode':
        for (const c of Object.keys(step.columns)) if (!cols.includes(c)) missing(keyPath(step.path, c), c);
        break;
      case 'select':
        step.columns.forEach((c, k) => {
          if (!cols.includes(c)) missing(`${step.path}[${k}]`, c);
        });
        cols = step.columns.filter((c) => cols.includes(c));
        break;
    }
  }
  return { columns: cols, issues };
}
