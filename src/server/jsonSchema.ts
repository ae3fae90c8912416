/**
 * A small JSON Schema (draft-07) validator for the subset the experiment schema uses: type,
 * enum, const, required, properties, additionalProperties, items, minItems, uniqueItems,
 * minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum. It walks
 * a jsonc-parser tree so every error points at the offending JSON value.
 */
import { getNodeValue, type Node } from './jsonc';

export interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** An ECMAScript regular expression the string must match somewhere (anchor it to match it whole). */
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

export interface SchemaError {
  /** The node the error is about (a value, or a property key for unknown properties). */
  readonly node: Node;
  readonly message: string;
  /** JSON path of the value, e.g. datasets[1].label. */
  readonly path: string;
}

function typeOf(node: Node): string {
  if (node.type === 'number') return Number.isInteger(node.value) ? 'integer' : 'number';
  return node.type === 'property' ? 'object' : node.type;
}

function typeMatches(actual: string, expected: string): boolean {
  return actual === expected || (expected === 'number' && actual === 'integer');
}

const show = (v: unknown) => JSON.stringify(v);

/** Compiled patterns: a schema is validated on every keystroke in its document. */
const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, 'u')));
  return re;
}

export function validate(schema: Schema, node: Node, path = '', out: SchemaError[] = []): SchemaError[] {
  const here = path === '' ? '(root)' : path;
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    const actual = typeOf(node);
    if (!types.some((t) => typeMatches(actual, t))) {
      out.push({ node, path: here, message: `${here}: expected ${types.join(' or ')}, found ${actual}` });
      return out;
    }
  }
  if (schema.const !== undefined && getNodeValue(node) !== schema.const) {
    out.push({ node, path: here, message: `${here}: must be ${show(schema.const)}` });
  }
  if (schema.enum !== undefined) {
    const v = getNodeValue(node);
    if (!schema.enum.some((e) => e === v)) out.push({ node, path: here, message: `${here}: ${show(v)} is not one of ${schema.enum.map(show).join(', ')}` });
  }
  if (node.type === 'string') {
    // JSON Schema counts code points, not UTF-16 units.
    const length = [...String(node.value)].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      out.push({ node, path: here, message: schema.minLength === 1 ? `${here}: must not be empty` : `${here}: needs at least ${schema.minLength} characters` });
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) out.push({ node, path: here, message: `${here}: has ${length} characters, at most ${schema.maxLength} allowed` });
    if (schema.pattern !== undefined && !patternOf(schema.pattern).test(String(node.value))) out.push({ node, path: here, message: `${here}: ${show(node.value)} does not match the pattern ${schema.pattern}` });
  }
  if (node.type === 'number') {
    const v = node.value as number;
    if (schema.minimum !== undefined && v < schema.minimum) out.push({ node, path: here, message: `${here}: must be >= ${schema.minimum}` });
    if (schema.maximum !== undefined && v > schema.maximum) out.push({ node, path: here, message: `${here}: must be <= ${schema.maximum}` });
    if (schema.exclusiveMinimum !== undefined && v <= schema.exclusiveMinimum) out.push({ node, path: here, message: `${here}: must be > ${schema.exclusiveMinimum}` });
    if (schema.exclusiveMaximum !== undefined && v >= schema.exclusiveMaximum) out.push({ node, path: here, message: `${here}: must be < ${schema.exclusiveMaximum}` });
  }
  if (node.type === 'object') {
    const props = new Map<string, Node>();
    for (const p of node.children ?? []) {
      const key = p.children?.[0];
      const value = p.children?.[1];
      if (!key || !value) continue;
      const name = String(key.value);
      props.set(name, value);
      const sub = schema.properties?.[name];
      const childPath = path === '' ? name : `${path}.${name}`;
      if (sub) validate(sub, value, childPath, out);
      else if (schema.additionalProperties === false) {
        const known = Object.keys(schema.properties ?? {});
        out.push({ node: key, path: childPath, message: `${here}: unknown property "${name}"${known.length ? ` (allowed: ${known.join(', ')})` : ''}` });
      } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        validate(schema.additionalProperties, value, childPath, out);
      }
    }
    for (const r of schema.required ?? []) {
      if (!props.has(r)) out.push({ node, path: here, message: `${here}: missing required property "${r}"` });
    }
  }
  if (node.type === 'array') {
    const items = node.children ?? [];
    if (schema.minItems !== undefined && items.length < schema.minItems) out.push({ node, path: here, message: `${here}: needs at least ${schema.minItems} item(s)` });
    if (schema.items) items.forEach((item, i) => validate(schema.items!, item, `${path}[${i}]`, out));
    if (schema.uniqueItems) {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const key = JSON.stringify(getNodeValue(item));
        if (seen.has(key)) out.push({ node: item, path: `${path}[${i}]`, message: `${path}[${i}]: duplicate item ${key}` });
        seen.add(key);
      });
    }
  }
  return out;
}
