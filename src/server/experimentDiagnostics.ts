/**
 * Diagnostics for experiment files: JSON syntax, the JSON Schema (schemas/experiment.schema.json),
 * dataset names and dataset files that are missing or outside the workspace (both in the
 * trainer's words: training/experiment.ts), column names that no dataset has (with "did you
 * mean"), label columns whose type does not fit the task or the arms, and the text section
 * with the encoder files it names (textModelDiagnostics.ts). A dataset outside the
 * workspace is never read, so nothing of it (columns, values) shows in any message.
 */
import * as path from 'node:path';
import { findNodeAtLocation, getNodeValue, printParseErrorCode, type Node } from './jsonc';
import { checkTransformColumns, parseTransformSteps, type TransformStep } from '../core/transform/transformSteps';
import { isCsvPath } from '../protocol/files';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Range } from 'vscode-languageserver';
import schemaJson from '../../schemas/experiment.schema.json';
import { nameSimilarity } from '../core/schemaAlign';
import { datasetNameProblem } from '../training/experiment';
import { isClassLabel, type ColumnStats } from './columnStats';
import { SOURCE, type DiagnosticData } from './diagnosticData';
import { datasetRoots, outsideRootsProblem, type Experiment, type LoadedDataset } from './experiments';
import { validate, type Schema } from './jsonSchema';
import { severityOf, type DiagnosticCode, type ServerSettings } from './settings';
import { checkTextSection } from './textModelDiagnostics';

export const EXPERIMENT_SCHEMA = schemaJson as unknown as Schema;

export interface ExperimentCheckContext {
  readonly settings: ServerSettings;
  /** Workspace folder paths; when empty the experiment's own folder is the root. */
  readonly roots: readonly string[];
  readonly load: (file: string) => Promise<LoadedDataset | { error: string }>;
  /** The local model cache pretrained model ids resolve in (training/text/textContext.ts defaultModelCache). */
  readonly modelCache: string;
}

/** The closest names to `name` among `candidates`, best first (similarity >= 0.5). */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = 0.5;
  for (const c of candidates) {
    const s = nameSimilarity(name, c);
    if (s > bestScore || (s === bestScore && best === undefined)) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

type LabelKind = 'classification' | 'regression';

/** The node of a trainer JSON path (`$.datasets[1].transform[0].derive.temp_c`, `...rename["a b"]`) inside dataset `index`'s node. */
function nodeAtPath(datasetNode: Node, jsonPath: string, index: number): Node | undefined {
  const prefix = `$.datasets[${index}]`;
  if (!jsonPath.startsWith(prefix)) return undefined;
  const segments: (string | number)[] = [];
  const re = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  re.lastIndex = prefix.length;
  let m: RegExpExecArray | null;
  while (re.lastIndex < jsonPath.length && (m = re.exec(jsonPath))) segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string)));
  for (let n = segments.length; n > 0; n--) {
    const node = findNodeAtLocation(datasetNode, segments.slice(0, n));
    if (node) return node;
  }
  return undefined;
}

export async function checkExperiment(exp: Experiment, doc: TextDocument, ctx: ExperimentCheckContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const rangeOf = (node: Node): Range => ({ start: doc.positionAt(node.offset), end: doc.positionAt(node.offset + node.length) });
  const add = (code: DiagnosticCode, range: Range, message: string, data?: DiagnosticData) => {
    const severity = severityOf(ctx.settings, code);
    if (severity === undefined) return;
    const d: Diagnostic = { range, severity, code, source: SOURCE, message };
    if (data) d.data = data;
    out.push(d);
  };
  for (const e of exp.parseErrors) {
    add('experiment-json', { start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + Math.max(1, e.length)) }, `invalid JSON: ${printParseErrorCode(e.error)}`);
  }
  if (!exp.tree) return out;
  // Dataset names as the trainer judges them (it also refuses reserved device names, which the
  // schema's pattern lets through); the schema's own verdict on such a name would say it twice.
  const badNames = new Map<Node, string>();
  for (const ds of exp.datasets) {
    const nameNode = findNodeAtLocation(ds.node, ['name']);
    // An empty name is the schema's to report (minLength), as the trainer reports it as missing.
    const problem = nameNode?.type === 'string' && nameNode.value !== '' ? datasetNameProblem(String(nameNode.value)) : undefined;
    if (nameNode && problem) badNames.set(nameNode, `datasets[${ds.index}].name: ${problem}`);
  }
  const schemaNodes = new Set<Node>();
  for (const e of validate(EXPERIMENT_SCHEMA, exp.tree)) {
    schemaNodes.add(e.node);
    if (!badNames.has(e.node)) add('experiment-schema', rangeOf(e.node), e.message);
  }
  for (const [node, message] of badNames) add('experiment-schema', rangeOf(node), message);
  // The text section by the trainer's rules, and the encoder files it names (textModelDiagnostics.ts).
  for (const f of checkTextSection(exp.file, exp.tree, { roots: ctx.roots, modelCache: ctx.modelCache, allowDownload: ctx.settings.allowModelDownload, reported: schemaNodes })) {
    add(f.code, rangeOf(f.node), f.message);
  }
  // Transform steps as the trainer parses them (arquero's parser, syntax only: nothing is compiled
  // or evaluated here, so an untrusted experiment is safe to check).
  const transforms = new Map<number, TransformStep[]>();
  for (const ds of exp.datasets) {
    const node = findNodeAtLocation(ds.node, ['transform']);
    if (!node) continue;
    const { steps, issues } = parseTransformSteps(getNodeValue(node), `$.datasets[${ds.index}].transform`);
    for (const issue of issues) {
      const target = nodeAtPath(ds.node, issue.path, ds.index) ?? node;
      if (!schemaNodes.has(target)) add('experiment-transform', rangeOf(target), `${issue.path.slice(2)}: ${issue.message}`);
    }
    if (!issues.length) transforms.set(ds.index, steps);
  }

  const roots = datasetRoots(ctx.roots, exp.file);
  const loaded = new Map<number, { data: LoadedDataset; columns: string[]; stats: (name: string) => ColumnStats | undefined }>();
  for (const ds of exp.datasets) {
    const pathNode = findNodeAtLocation(ds.node, ['path']);
    if (!ds.file || !pathNode) continue;
    const outside = outsideRootsProblem(roots, ds.file, ds.rawPath ?? ds.file);
    if (outside) {
      add('experiment-outside-workspace', rangeOf(pathNode), outside);
      continue;
    }
    // The server reads CSV/TSV files only: a Parquet, Arrow or JSON Lines dataset is left to the trainer.
    if (!isCsvPath(ds.file)) continue;
    const r = await ctx.load(ds.file);
    if ('error' in r) {
      if (r.error === 'not found') add('experiment-missing-file', rangeOf(pathNode), `dataset file not found: ${ds.file}`);
      else add('experiment-unreadable-file', rangeOf(pathNode), `cannot read ${ds.file}: ${r.error}`);
      continue;
    }
    const fileColumns = r.model.cols.map((c) => c.name);
    const tol = ctx.settings.diagnostics.numericTolerance;
    let columns = fileColumns;
    const steps = transforms.get(ds.index);
    if (steps) {
      // Label and features name the columns after the transform.
      const checked = checkTransformColumns(fileColumns, steps);
      for (const issue of checked.issues) add('experiment-transform', rangeOf(nodeAtPath(ds.node, issue.path, ds.index) ?? ds.node), `${issue.path.slice(2)}: ${issue.message}`);
      columns = checked.columns;
    }
    loaded.set(ds.index, {
      data: r,
      columns,
      stats: (name) => {
        // A transformed dataset's columns are not the file's: no statistics to judge them by.
        if (steps) return undefined;
        const i = fileColumns.indexOf(name);
        return i < 0 ? undefined : r.stats.get(i, tol);
      },
    });
  }

  const unknown = (node: Node, name: string, columns: string[], where: string) => {
    const guess = didYouMean(name, columns);
    add(
      'experiment-unknown-column',
      rangeOf(node),
      `column "${name}" is not in ${where}${guess ? `; did you mean "${guess}"?` : ` (columns: ${columns.slice(0, 12).join(', ')}${columns.length > 12 ? ', ...' : ''})`}`,
      guess ? { column: name, renameTo: guess } : { column: name },
    );
  };

  const kinds = new Map<number, LabelKind>();
  for (const ds of exp.datasets) {
    const info = loaded.get(ds.index);
    if (!info) continue;
    const where = `${path.basename(ds.file!)}`;
    const labelNode = findNodeAtLocation(ds.node, ['label']);
    if (ds.label !== undefined && labelNode) {
      const s = info.stats(ds.label);
      // A column a transform makes has no statistics: its type is known once the trainer runs it.
      if (!s && !info.columns.includes(ds.label)) unknown(labelNode, ds.label, info.columns, where);
      else if (s) {
        const kind: LabelKind = isClassLabel(s) ? 'classification' : 'regression';
        kinds.set(ds.index, ds.task === 'classification' || ds.task === 'regression' ? ds.task : kind);
        if (ds.task === 'regression' && s.type !== 'numeric') {
          add('experiment-label-type', rangeOf(labelNode), `task "regression" needs a numeric label, but "${ds.label}" in ${where} is categorical (e.g. "${s.categories[0]?.[0] ?? ''}")`);
        } else if (ds.task === 'classification' && !isClassLabel(s)) {
          add('experiment-label-type', rangeOf(labelNode), `task "classification" on "${ds.label}" in ${where}: a numeric label with ${s.distinctCapped ? `more than ${s.distinct - 1}` : s.distinct} distinct values looks like a regression target`);
        }
      }
    }
    for (const key of ['features', 'exclude'] as const) {
      const list = findNodeAtLocation(ds.node, [key]);
      for (const item of list?.type === 'array' ? list.children ?? [] : []) {
        if (item.type === 'string' && !info.columns.includes(String(item.value))) unknown(item, String(item.value), info.columns, where);
      }
    }
  }
  const shared = findNodeAtLocation(exp.tree, ['features']);
  for (const item of shared?.type === 'array' ? shared.children ?? [] : []) {
    if (item.type !== 'string') continue;
    for (const ds of exp.datasets) {
      const info = loaded.get(ds.index);
      if (info && !info.columns.includes(String(item.value))) {
        unknown(item, String(item.value), info.columns, `dataset "${ds.name}" (${path.basename(ds.file!)})`);
        break;
      }
    }
  }
  // The merged arm trains one model on the union: every label must be of one kind.
  const arms = exp.arms.length ? exp.arms : ['separate', 'merged', 'multihead'];
  const distinctKinds = new Set(kinds.values());
  if (arms.includes('merged') && distinctKinds.size > 1) {
    const armsNode = findNodeAtLocation(exp.tree, ['arms']);
    const desc = exp.datasets.filter((d) => kinds.has(d.index)).map((d) => `${d.name}: ${kinds.get(d.index)}`).join(', ');
    const target = armsNode ?? findNodeAtLocation(exp.tree, ['datasets']) ?? exp.tree;
    add('experiment-label-type', rangeOf(target), `the merged arm needs labels of one kind, but the datasets mix them (${desc}); drop "merged" from arms or align the labels`);
  }
  return out;
}
