/**
 * Text edits that add a transform step to an experiment file, placed with jsonc-parser's syntax
 * tree (text inserted, nothing else rewritten), and the dataset of an experiment that
 * a data file is. Pure (no vscode): the mapping command applies the edits as a WorkspaceEdit,
 * unit tests check them on text.
 */
import { dirname, resolve } from 'node:path';
import { findNodeAtLocation, getNodeValue, parseTree, type Edit } from 'jsonc-parser/lib/esm/main.js';
import type { MappingStep } from '../protocol/mappingSteps';

/** Index of the dataset whose `path` (relative to the experiment file) is `file`, or -1. */
export function datasetIndexOf(text: string, experimentFile: string, file: string): number {
  const tree = parseTree(text);
  const list = tree ? findNodeAtLocation(tree, ['datasets']) : undefined;
  if (!list || list.type !== 'array') return -1;
  const want = resolve(file);
  return (list.children ?? []).findIndex((d) => {
    const p = findNodeAtLocation(d, ['path']);
    return p?.type === 'string' && resolve(dirname(experimentFile), String(p.value)) === want;
  });
}

/** The dataset's existing transform steps (as written), or [] when it has none. */
export function transformOf(text: string, index: number): unknown[] {
  const tree = parseTree(text);
  const node = tree ? findNodeAtLocation(tree, ['datasets', index, 'transform']) : undefined;
  const v: unknown = node ? getNodeValue(node) : undefined;
  return Array.isArray(v) ? v : [];
}

/** Whether the dataset's transform already holds this exact step. */
export function hasStep(text: string, index: number, step: MappingStep): boolean {
  const json = JSON.stringify(step);
  return transformOf(text, index).some((s) => JSON.stringify(s) === json);
}

/** `{ "rename": { "a": "b" } }`: a value on one line, spaced like hand-written JSON. */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')} }`;
  return JSON.stringify(value);
}

/**
 * Edits appending `step` to `datasets[index].transform` (created when absent). Only text is
 * inserted, after the last step or the dataset's last property, on its own line when those are
 * on lines of their own: nothing else of the file is reformatted.
 */
export function appendStepEdits(text: string, index: number, step: MappingStep): Edit[] {
  const tree = parseTree(text);
  const dataset = tree ? findNodeAtLocation(tree, ['datasets', index]) : undefined;
  if (!dataset || dataset.type !== 'object') throw new Error(`the experiment has no dataset ${index + 1}`);
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const indentAt = (offset: number) => /^[ \t]*/.exec(text.slice(lineStart(offset)))?.[0] ?? '';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const list = findNodeAtLocation(dataset, ['transform']);
  const items = list?.type === 'array' ? (list.children ?? []) : undefined;
  if (list && items && items.length > 0) {
    const last = items[items.length - 1];
    const end = last.offset + last.length;
    // Items on their own lines: the new one too, with the same indentation.
    const ownLine = text.slice(lineStart(last.offset), last.offset).trim() === '';
    return [{ offset: end, length: 0, content: ownLine ? `,${eol}${indentAt(last.offset)}${oneLine(step)}` : `, ${oneLine(step)}` }];
  }
  if (list && items) return [{ offset: list.offset + 1, length: 0, content: oneLine(step) }];
  const props = dataset.children ?? [];
  const lastProp = props[props.length - 1];
  const end = lastProp.offset + lastProp.length;
  const ownLine = text.slice(lineStart(lastProp.offset), lastProp.offset).trim() === '';
  const entry = `"transform": [${oneLine(step)}]`;
  return [{ offset: end, length: 0, content: ownLine ? `,${eol}${indentAt(lastProp.offset)}${entry}` : `, ${entry}` }];
}
