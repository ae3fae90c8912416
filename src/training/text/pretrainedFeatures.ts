/**
 * A text column's pretrained embeddings, row by row: each distinct text of the column (text
 * columns store them once) embedded once per run (textContext.ts's map) and cached on disk by
 * content hash (pretrainedEncoder.ts); the model is loaded only when something must be computed.
 * Progress goes to the run's onEncodingProgress with rows per second.
 */
import { columnByName, isStringColumn, type DataTable } from '../../core/table';
import { PretrainedEncoder, embeddingKey, modelFingerprint, readCachedEmbeddings, writeCachedEmbeddings, type ResolvedModel } from './pretrainedEncoder';
import type { TextRunContext } from './textContext';

export interface ColumnEmbeddings {
  readonly dim: number;
  /** The embedding of row r's cell (an empty text for a missing cell). */
  row(r: number): Float32Array;
}

const loaded = new Map<string, Promise<PretrainedEncoder>>();

/** The loaded encoder of a model folder, loaded (or, allowed, downloaded) once per process. */
export function encoderFor(model: ResolvedModel, ctx: TextRunContext, root: string): Promise<PretrainedEncoder> {
  let p = loaded.get(model.folder);
  if (!p) {
    p = PretrainedEncoder.load(model, ctx, root);
    loaded.set(model.folder, p);
    p.catch(() => loaded.delete(model.folder));
  }
  return p;
}

/** Distinct texts of a column and the index of each row's text among them. */
function distinctTexts(table: DataTable, column: string): { texts: string[]; index: (r: number) => number } {
  const col = columnByName(table, column);
  if (!col) throw new Error(`text column "${column}" not found in ${table.path}`);
  if (isStringColumn(col)) {
    // A missing cell reads as an empty text, embedded once after the dictionary when there is one.
    const missing = col.dictionary.length;
    const anyMissing = col.codes.some((c) => c < 0);
    return { texts: anyMissing ? [...col.dictionary, ''] : [...col.dictionary], index: (r) => (col.codes[r] < 0 ? missing : col.codes[r]) };
  }
  const texts: string[] = [];
  const seen = new Map<string, number>();
  const idx = new Int32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    const s = col.type === 'numeric' && !Number.isNaN(col.values[r]) ? String(col.values[r]) : '';
    let k = seen.get(s);
    if (k === undefined) seen.set(s, (k = texts.push(s) - 1));
    idx[r] = k;
  }
  return { texts, index: (r) => idx[r] };
}

export async function columnEmbeddings(model: ResolvedModel, fingerprint: string, table: DataTable, dataset: string, column: string, maxTokens: number, batchSize: number, root: string, ctx: TextRunContext): Promise<ColumnEmbeddings> {
  const { texts, index } = distinctTexts(table, column);
  const key = embeddingKey(fingerprint, maxTokens, texts);
  let values = ctx.embeddings.get(key);
  let dim = values ? values.length / Math.max(1, texts.length) : 0;
  const report = (done: number, rowsPerSecond: number, cached: boolean, runtime?: string) => ctx.onEncodingProgress?.({ dataset, column, model: model.ref, done, total: texts.length, rowsPerSecond, cached, ...(runtime ? { runtime } : {}) });
  if (!values) {
    const disk = readCachedEmbeddings(root, key, texts.length);
    if (disk) {
      ({ values, dim } = disk);
      report(texts.length, 0, true);
    } else {
      const encoder = await encoderFor(model, ctx, root);
      if (encoder.fingerprint !== fingerprint) throw new Error(`${model.folder}: the model changed while the run read it`);
      const started = Date.now();
      const out = await encoder.embed(texts, batchSize, maxTokens, (done) => report(done, done / Math.max(1e-3, (Date.now() - started) / 1000), false, encoder.runtime));
      ({ values, dim } = out);
      writeCachedEmbeddings(root, key, values, dim);
    }
    ctx.embeddings.set(key, values);
  }
  // Already embedded in this run (another arm's model): nothing to report.
  const all = values;
  return { dim, row: (r) => all.subarray(index(r) * dim, (index(r) + 1) * dim) };
}

export { modelFingerprint };
