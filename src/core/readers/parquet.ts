/**
 * Parquet files, read with hyparquet (pure JavaScript, no native code) and the decompressors of
 * hyparquet-compressors (Snappy, ZSTD, Brotli, LZ4); GZIP pages go through Node's zlib, which is
 * faster than the JavaScript inflate. Only the requested top-level columns are decoded.
 *
 * Types: integers, floats and decimals are numeric (64-bit integers beyond 2^53 lose precision,
 * as in every JavaScript number); timestamps and dates are datetime columns (milliseconds since
 * 1970-01-01T00:00:00Z; a timestamp adjusted to UTC keeps its offset, 0; docs/ingest.md);
 * strings, enums, UUIDs, booleans ("true" / "false") and JSON text are categorical or text (or
 * datetime when the strings are dates, as in CSV). A struct is flattened into one column per leaf,
 * named with dots (`location.lat`); lists and maps are left out with a problem saying so.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { parquetMetadata, parquetRead, parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { FatalInputError, type DataTable, type Problem } from '../table';
import { buildColumns, CategoricalBuilder, DatetimeBuilder, NumericBuilder, type ColumnBuilder } from './columnBuilder';
import { isFlatColumn, readFlatColumn } from './parquetFlat';
import type { BinaryReadOptions } from './readOptions';
import { zstdDecompress, zstdReady } from './zstd';

/** One flat column of the output: a top-level column, or a struct's leaf (`path` below the top). */
interface Leaf {
  readonly name: string;
  readonly top: string;
  readonly path: readonly string[];
  readonly kind: 'numeric' | 'categorical' | 'datetime';
  /** Dates (no time of day). */
  readonly dateOnly: boolean;
  /** Timestamps adjusted to UTC. */
  readonly utc: boolean;
}

/**
 * Faster decompressors than hyparquet-compressors' JavaScript ones: Node's zlib for GZIP, and for
 * ZSTD zstd.ts's choice (Node's zlib from 22.15 on, else WebAssembly; the readers await
 * zstdReady() first).
 */
const NATIVE_DECOMPRESSORS = {
  GZIP: (input: Uint8Array) => new Uint8Array(zlib.gunzipSync(input)),
  ZSTD: zstdDecompress,
};

const CODECS = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW']);

function isNested(node: SchemaTree): boolean {
  const e = node.element;
  return e.repetition_type === 'REPEATED' || e.converted_type === 'LIST' || e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || e.logical_type?.type === 'LIST' || e.logical_type?.type === 'MAP';
}

function leafKind(node: SchemaTree): 'numeric' | 'categorical' | 'datetime' {
  const e = node.element;
  const logical = e.logical_type?.type;
  if (logical === 'TIMESTAMP' || logical === 'DATE' || e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.converted_type === 'DATE' || e.type === 'INT96') return 'datetime';
  if (logical === 'STRING' || logical === 'ENUM' || logical === 'JSON' || logical === 'UUID' || logical === 'BSON') return 'categorical';
  if (e.converted_type === 'UTF8' || e.converted_type === 'ENUM' || e.converted_type === 'JSON' || e.converted_type === 'BSON') return 'categorical';
  switch (e.type) {
    case 'INT32':
    case 'INT64':
    case 'FLOAT':
    case 'DOUBLE':
      return 'numeric';
    case 'FIXED_LEN_BYTE_ARRAY':
      return logical === 'DECIMAL' || logical === 'FLOAT16' || e.converted_type === 'DECIMAL' ? 'numeric' : 'categorical';
    case 'BYTE_ARRAY':
      return logical === 'DECIMAL' || e.converted_type === 'DECIMAL' ? 'numeric' : 'categorical';
    default:
      return 'categorical';
  }
}

/** The flat columns of a schema, and the columns that cannot be flattened (lists, maps). */
function flatColumns(schema: SchemaTree): { leaves: Leaf[]; refused: { name: string; why: string }[] } {
  const leaves: Leaf[] = [];
  const refused: { name: string; why: string }[] = [];
  const visit = (node: SchemaTree, top: string, path: string[]): void => {
    const name = [top, ...path].join('.');
    if (isNested(node)) {
      const what = node.element.converted_type === 'MAP' || node.element.logical_type?.type === 'MAP' ? 'a map' : 'a list';
      refused.push({ name, why: `column "${name}" is ${what} (nested values per row); it is left out: Dataset Lab reads flat columns and flattens structs only` });
      return;
    }
    if (node.children.length === 0) {
      const e = node.element;
      const dateOnly = e.logical_type?.type === 'DATE' || e.converted_type === 'DATE';
      // Legacy timestamps (converted types, INT96) are UTC instants.
      const utc = e.logical_type?.type === 'TIMESTAMP' ? e.logical_type.isAdjustedToUTC : !dateOnly && (e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.type === 'INT96');
      leaves.push({ name, top, path, kind: leafKind(node), dateOnly, utc });
      return;
    }
    for (const child of node.children) visit(child, top, [...path, child.element.name]);
  };
  for (const child of schema.children) visit(child, child.element.name, []);
  return { leaves, refused };
}

/** Milliseconds since the epoch from hyparquet's time units (a datetime column's values). */
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v) / 1e3,
  timestampFromNanoseconds: (v: bigint) => Number(v) / 1e6,
  dateFromDays: (days: number) => days * 86400000,
};

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return Number.NaN;
}

function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

function fill(builder: ColumnBuilder, start: number, data: ArrayLike<unknown>, path: readonly string[]): void {
  const n = data.length;
  if (builder instanceof DatetimeBuilder) {
    for (let i = 0; i < n; i++) builder.set(start + i, toNumber(pick(data[i], path)));
  } else if (builder instanceof NumericBuilder) {
    if (path.length === 0 && (data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint32Array || data instanceof Int16Array || data instanceof Int8Array || data instanceof Uint8Array || data instanceof Uint16Array)) {
      builder.values.set(data, start);
      return;
    }
    for (let i = 0; i < n; i++) builder.set(start + i, toNumber(pick(data[i], path)));
  } else {
    for (let i = 0; i < n; i++) builder.set(start + i, toText(pick(data[i], path)));
  }
}

function pick(v: unknown, path: readonly string[]): unknown {
  let x = v;
  for (const k of path) {
    if (x === null || x === undefined || typeof x !== 'object') return null;
    x = (x as Record<string, unknown>)[k];
  }
  return x;
}

function corrupt(path: string, err: unknown): FatalInputError {
  const why = err instanceof Error ? err.message : String(err);
  return new FatalInputError(path, 'corrupt-file', `not a readable Parquet file (${why.split('\n')[0]})`);
}

export async function readParquetBytes(bytes: Buffer, path: string, name: string, options: BinaryReadOptions): Promise<DataTable> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'PAR1' || bytes.toString('latin1', bytes.length - 4) !== 'PAR1') {
    throw new FatalInputError(path, 'corrupt-file', 'not a Parquet file (it must start and end with the bytes "PAR1")');
  }
  let metadata: FileMetaData;
  let schema: SchemaTree;
  try {
    metadata = parquetMetadata(buffer, { parsers: PARSERS });
    schema = parquetSchema(metadata);
  } catch (e) {
    throw corrupt(path, e);
  }
  return tableFromMetadata(buffer, metadata, schema, path, name, options, true);
}

/**
 * The table of the row groups `metadata` lists, whose pages lie in `buffer` at the offsets the
 * metadata gives (a whole file, or one row group with its offsets shifted).
 */
async function tableFromMetadata(buffer: ArrayBuffer, metadata: FileMetaData, schema: SchemaTree, path: string, name: string, options: BinaryReadOptions, withRefused: boolean): Promise<DataTable> {
  await zstdReady();
  const rows = Number(metadata.num_rows);
  const { leaves, refused } = flatColumns(schema);
  const wanted = options.columns ? new Set(options.columns) : undefined;
  const chosen = wanted ? leaves.filter((l) => wanted.has(l.name)) : leaves;
  const problems: Problem[] = [];
  for (const r of withRefused ? refused : []) {
    if (!wanted || wanted.has(r.name)) problems.push({ file: path, line: 1, column: 1, code: 'unsupported-column', message: r.why });
  }
  const tops = [...new Set(chosen.map((l) => l.top))];
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      const top = chunk.meta_data?.path_in_schema[0];
      if (codec !== undefined && !CODECS.has(codec) && top !== undefined && tops.includes(top)) {
        throw new FatalInputError(path, 'unsupported-codec', `column "${chunk.meta_data?.path_in_schema.join('.')}" is compressed with ${codec}, which Dataset Lab cannot read (it reads ${[...CODECS].join(', ')})`);
      }
    }
  }
  const missing = new Set(options.missingTokens);
  const builders = new Map<string, { leaf: Leaf; builder: ColumnBuilder }[]>();
  for (const leaf of chosen) {
    const builder =
      leaf.kind === 'numeric'
        ? new NumericBuilder(leaf.name, rows)
        : leaf.kind === 'datetime'
          ? new DatetimeBuilder(leaf.name, rows, leaf.dateOnly, leaf.utc)
          : new CategoricalBuilder(leaf.name, rows, missing);
    const list = builders.get(leaf.top) ?? [];
    list.push({ leaf, builder });
    builders.set(leaf.top, list);
  }
  const decompressors = { ...compressors, ...NATIVE_DECOMPRESSORS };
  // Flat top-level columns take the fast path (parquetFlat.ts); structs go through hyparquet's reader.
  const flat = new Set(tops.filter((t) => isFlatColumn(metadata, t)));
  if (rows > 0) {
    for (const top of flat) {
      for (const { leaf, builder } of builders.get(top) ?? []) {
        try {
          readFlatColumn(buffer, metadata, leaf.name, builder, PARSERS, decompressors);
        } catch (e) {
          throw corrupt(path, e);
        }
      }
    }
  }
  const nested = tops.filter((t) => !flat.has(t));
  if (nested.length > 0 && rows > 0) {
    try {
      await parquetRead({
        file: { byteLength: buffer.byteLength, slice: (s: number, e?: number) => buffer.slice(s, e) },
        metadata,
        columns: nested,
        parsers: PARSERS,
        compressors: decompressors,
        onChunk(chunk) {
          for (const { leaf, builder } of builders.get(chunk.columnName) ?? []) fill(builder, chunk.rowStart, chunk.columnData as ArrayLike<unknown>, leaf.path);
        },
      });
    } catch (e) {
      if (e instanceof FatalInputError) throw e;
      throw corrupt(path, e);
    }
  }
  const built = buildColumns(
    chosen.map((l) => builders.get(l.top)?.find((b) => b.leaf === l)?.builder as ColumnBuilder),
    path,
    options.numericTolerance,
    options.dateFormats,
    options.inferDates !== false,
  );
  problems.push(...built.problems);
  return { name, path, rows, columns: built.columns, problems, problemCount: problems.length, delimiter: '' };
}

/** A column chunk's byte range in the file: its dictionary page (if any) through its last data page. */
function chunkRange(meta: NonNullable<FileMetaData['row_groups'][number]['columns'][number]['meta_data']>): [number, number] {
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return [start, start + Number(meta.total_compressed_size)];
}

/**
 * A Parquet file one row group at a time, for the streaming mode (src/core/stream): only the
 * footer and one row group's pages are read from disk at once, and each group becomes a table as
 * readParquetBytes makes one of a whole file (the same types, flattening and problems; columns
 * left out are reported with the first group). Memory: the largest row group's compressed bytes
 * and its decoded table.
 */
export async function* readParquetRowGroups(path: string, name: string, options: BinaryReadOptions): AsyncGenerator<DataTable> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (start: number, end: number): Buffer => {
      const b = Buffer.alloc(end - start);
      let done = 0;
      while (done < b.length) {
        const n = readSync(fd, b, done, b.length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      return b;
    };
    const tail = size >= 12 ? read(size - 8, size) : Buffer.alloc(0);
    if (size < 12 || read(0, 4).toString('latin1') !== 'PAR1' || tail.toString('latin1', 4) !== 'PAR1') {
      throw new FatalInputError(path, 'corrupt-file', 'not a Parquet file (it must start and end with the bytes "PAR1")');
    }
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 12 > size) throw new FatalInputError(path, 'corrupt-file', `not a readable Parquet file (metadata length ${footerLength} exceeds the file)`);
    const footer = read(size - 8 - footerLength, size);
    let metadata: FileMetaData;
    let schema: SchemaTree;
    try {
      metadata = parquetMetadata(footer.buffer.slice(footer.byteOffset, footer.byteOffset + footer.byteLength) as ArrayBuffer, { parsers: PARSERS });
      schema = parquetSchema(metadata);
    } catch (e) {
      throw corrupt(path, e);
    }
    let first = true;
    for (const group of metadata.row_groups) {
      const ranges = group.columns.map((c) => (c.meta_data ? chunkRange(c.meta_data) : [Infinity, -Infinity]));
      const base = Math.min(...ranges.map((r) => r[0]));
      const end = Math.max(...ranges.map((r) => r[1]));
      if (!(base >= 0 && end <= size && base < end)) throw new FatalInputError(path, 'corrupt-file', `not a readable Parquet file (a row group's pages lie outside the file: bytes ${base}..${end} of ${size})`);
      // The group's bytes from 4 before its first page (the file starts with 4 magic bytes, so
      // there are always 4): no shifted offset is 0, which the page readers take as "absent".
      const from = base - 4;
      const bytes = read(from, end);
      const shift = (v: bigint | undefined) => (v === undefined ? v : v - BigInt(from));
      const shifted: FileMetaData = {
        ...metadata,
        num_rows: group.num_rows,
        row_groups: [
          {
            ...group,
            columns: group.columns.map((c) => (c.meta_data ? { ...c, meta_data: { ...c.meta_data, data_page_offset: shift(c.meta_data.data_page_offset) as bigint, ...(c.meta_data.dictionary_page_offset ? { dictionary_page_offset: shift(c.meta_data.dictionary_page_offset) } : {}) } } : c)),
          },
        ],
      };
      yield await tableFromMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, shifted, schema, path, name, options, first);
      first = false;
    }
  } finally {
    closeSync(fd);
  }
}
