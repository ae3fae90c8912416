/**
 * Experiment files (`*.experiment.json`) in the workspace: parsed with offsets kept, indexed
 * by the CSV files they name, so a CSV document knows its partners. Also the cache of partner
 * datasets read from disk.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readRegularTextFile } from '../core/ingest';
import { confinementProblem, isStrictlyInside } from '../core/paths';
import { findNodeAtLocation, parseTree, type Node, type ParseError } from './jsonc';
import { CsvModel } from './csvModel';
import { isTabSeparatedPath } from '../protocol/files';
import { sniffDelimiter } from './csvScanner';
import { StatsCache } from './statsCache';

export const EXPERIMENT_SUFFIX = '.experiment.json';

export interface ExperimentDataset {
  readonly index: number;
  readonly name: string;
  /** Path as written in the file. */
  readonly rawPath?: string;
  /** Absolute path, resolved against the experiment file's folder. */
  readonly file?: string;
  readonly label?: string;
  readonly task?: string;
  readonly features: readonly string[];
  readonly exclude: readonly string[];
  readonly node: Node;
}

export interface Experiment {
  readonly file: string;
  readonly uri: string;
  readonly text: string;
  readonly tree: Node | undefined;
  readonly parseErrors: readonly ParseError[];
  readonly datasets: readonly ExperimentDataset[];
  readonly features: readonly string[];
  readonly arms: readonly string[];
}

const str = (n: Node | undefined) => (n && n.type === 'string' ? String(n.value) : undefined);
const strList = (n: Node | undefined) => (n && n.type === 'array' ? (n.children ?? []).filter((c) => c.type === 'string').map((c) => String(c.value)) : []);

export function parseExperiment(file: string, uri: string, text: string): Experiment {
  const parseErrors: ParseError[] = [];
  const tree = parseTree(text, parseErrors, { allowTrailingComma: false, disallowComments: true });
  const datasets: ExperimentDataset[] = [];
  const list = tree ? findNodeAtLocation(tree, ['datasets']) : undefined;
  if (list && list.type === 'array') {
    (list.children ?? []).forEach((node, index) => {
      if (node.type !== 'object') return;
      const rawPath = str(findNodeAtLocation(node, ['path']));
      const file2 = rawPath !== undefined && rawPath !== '' ? path.resolve(path.dirname(file), rawPath) : undefined;
      const name = str(findNodeAtLocation(node, ['name'])) ?? (rawPath ? path.basename(rawPath).replace(/\.[^.]+$/, '') : `dataset ${index + 1}`);
      datasets.push({
        index,
        name,
        rawPath,
        file: file2,
        label: str(findNodeAtLocation(node, ['label'])),
        task: str(findNodeAtLocation(node, ['task'])),
        features: strList(findNodeAtLocation(node, ['features'])),
        exclude: strList(findNodeAtLocation(node, ['exclude'])),
        node,
      });
    });
  }
  return {
    file,
    uri,
    text,
    tree,
    parseErrors,
    datasets,
    features: tree ? strList(findNodeAtLocation(tree, ['features'])) : [],
    arms: tree ? strList(findNodeAtLocation(tree, ['arms'])) : [],
  };
}

export interface Pairing {
  readonly experiment: Experiment;
  readonly self: ExperimentDataset;
  readonly partners: readonly ExperimentDataset[];
}

export class ExperimentIndex {
  private readonly byFile = new Map<string, Experiment>();

  set(exp: Experiment): void {
    this.byFile.set(exp.file, exp);
  }

  delete(file: string): void {
    this.byFile.delete(file);
  }

  get(file: string): Experiment | undefined {
    return this.byFile.get(file);
  }

  all(): Experiment[] {
    return [...this.byFile.values()];
  }

  /** Experiments that name `csvFile`, with the other datasets they pair it with. */
  pairingsFor(csvFile: string): Pairing[] {
    const out: Pairing[] = [];
    for (const exp of this.byFile.values()) {
      const self = exp.datasets.find((d) => d.file !== undefined && samePath(d.file, csvFile));
      if (!self) continue;
      out.push({ experiment: exp, self, partners: exp.datasets.filter((d) => d !== self && d.file !== undefined) });
    }
    return out;
  }
}

export function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

/** The folders an experiment's datasets must stay inside: the workspace folders, else the experiment's own folder. */
export function datasetRoots(workspaceRoots: readonly string[], experimentFile: string): readonly string[] {
  return workspaceRoots.length ? workspaceRoots : [path.dirname(experimentFile)];
}

/**
 * Why a dataset file (written `shown` in the experiment) lies outside every root, in the
 * trainer's words (training/experiment.ts resolveExperiment), or undefined when a root holds it.
 * Symbolic links are followed (core/paths.ts): a link inside the workspace to a file outside it
 * is outside, and such a file is never read. With several roots, the message names the one the
 * path is written inside of (a link leads out of it), else the first.
 */
export function outsideRootsProblem(roots: readonly string[], file: string, shown: string): string | undefined {
  const problems = roots.map((root) => confinementProblem(root, file, shown));
  if (problems.length === 0 || problems.some((p) => p === undefined)) return undefined;
  const lexically = roots.findIndex((root) => isStrictlyInside(root, file));
  return `${problems[Math.max(0, lexically)]}; dataset paths must stay inside it`;
}

const SKIP = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test', '.cache']);

/** Finds experiment files under the folders (bounded: depth 8, 20,000 directories). */
export async function findExperimentFiles(folders: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  let budget = 20000;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8 || budget-- <= 0) return;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith('.')) await walk(path.join(dir, e.name), depth + 1);
      } else if (e.isFile() && e.name.endsWith(EXPERIMENT_SUFFIX)) found.push(path.join(dir, e.name));
    }
  };
  for (const f of folders) await walk(f, 0);
  return found;
}

export interface LoadedDataset {
  readonly file: string;
  readonly model: CsvModel;
  readonly stats: StatsCache;
}

/** Datasets read from disk (files not open in the editor), re-read when their size or mtime change. */
export class DatasetCache {
  private readonly entries = new Map<string, { mtimeMs: number; size: number; data: LoadedDataset }>();

  constructor(private readonly missingTokens: () => readonly string[]) {}

  async load(file: string): Promise<LoadedDataset | { error: string }> {
    let st;
    try {
      st = await fs.stat(file);
    } catch {
      return { error: 'not found' };
    }
    if (!st.isFile()) return { error: 'not a file' };
    const hit = this.entries.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.data;
    let text: string;
    try {
      // Checked again on the opened file: it may have been replaced (by a FIFO, say) since the stat.
      text = await readRegularTextFile(file);
    } catch (e) {
      return { error: (e as Error).message };
    }
    const delimiter = isTabSeparatedPath(file) ? '\t' : sniffDelimiter(text);
    const model = new CsvModel({ delimiter, missingTokens: this.missingTokens() });
    model.begin(text);
    // Yield between slices so a large partner does not stall the server.
    while (!model.step(performance.now() + 20)) await new Promise((r) => setImmediate(r));
    const data = { file, model, stats: new StatsCache(model) };
    this.entries.set(file, { mtimeMs: st.mtimeMs, size: st.size, data });
    return data;
  }

  invalidate(file?: string): void {
    if (file === undefined) this.entries.clear();
    else this.entries.delete(file);
  }
}
