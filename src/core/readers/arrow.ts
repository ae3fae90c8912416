/**
 * Arrow IPC files (`.arrow`, `.feather`: Feather version 2 is the Arrow IPC file format; the IPC
 * stream format is read too), with flechette, the Arrow decoder arquero uses. Buffers compressed
 * with ZSTD are read (zstd.ts: Node's zlib decoder where it has one); LZ4_FRAME is refused by name.
 *
 * Types follow the Parquet reader: numbers and decimals numeric, dates and timestamps datetime
 * (a zone-aware timestamp keeps its UTC offset, 0), text / booleans / dictionaries categorical or
 * text (or datetime when the strings are dates, as in CSV), structs flattened with dotted names,
 * lists, maps and unions left out with a problem.
 */
import { CompressionType, Type, setCompressionCodec, tableFromIPC, type Column as ArrowColumn, type Field, type Table } from '@uwdata/flechette';
import { FatalInputError, type DataTable, type Problem } from '../table';
import { buildColumns, CategoricalBuilder, DatetimeBuilder, NumericBuilder, type ColumnBuilder } from './columnBuilder';
import type { BinaryReadOptions } from './readOptions';
import { zstdDecompress } from './zstd';

setCompressionCodec(CompressionType.ZSTD, {
  encode: () => {
    throw new Error('writing ZSTD is not supported');
  },
  decode: (bytes: Uint8Array, length: number) => zstdDecompress(bytes, length),
} as Parameters<typeof setCompressionCodec>[1]);

const NUMERIC_TYPES = new Set<number>([Type.Int, Type.Float, Type.Decimal, Type.Time, Type.Duration]);
/** With useDate: false, flechette gives these as milliseconds since the epoch. */
const DATETIME_TYPES = new Set<number>([Type.Date, Type.Timestamp]);
const TEXT_TYPES = new Set<number>([Type.Utf8, Type.LargeUtf8, Type.Utf8View, Type.Bool, Type.Dictionary, Type.Binary, Type.LargeBinary, Type.BinaryView, Type.FixedSizeBinary, Type.Null]);

interface Leaf {
  readonly name: string;
  readonly top: string;
  readonly path: readonly string[];
  readonly kind: 'numeric' | 'categorical' | 'datetime';
  readonly typeId: number;
  /** Timestamps with a zone: instants in UTC. */
  readonly utc: boolean;
}

function flatten(fields: readonly Field[]): { leaves: Leaf[]; refused: string[] } {
  const leaves: Leaf[] = [];
  const refused: string[] = [];
  const visit = (f: Field, top: string, path: string[]): void => {
    const name = [top, ...path].join('.');
    const typeId = f.type.typeId as number;
    if (typeId === Type.Struct) {
      for (const child of (f.type as { children: Field[] }).children) visit(child, top, [...path, child.name]);
      return;
    }
    const utc = typeId === Type.Timestamp && Boolean((f.type as { timezone?: string | null }).timezone);
    if (NUMERIC_TYPES.has(typeId)) leaves.push({ name, top, path, kind: 'numeric', typeId, utc });
    else if (DATETIME_TYPES.has(typeId)) leaves.push({ name, top, path, kind: 'datetime', typeId, utc });
    else if (TEXT_TYPES.has(typeId)) leaves.push({ name, top, path, kind: 'categorical', typeId, utc });
    else refused.push(`column "${name}" holds nested values per row (a list, map or union); it is left out: Dataset Lab reads flat columns and flattens structs only`);
  };
  for (const f of fields) visit(f, f.name, []);
  return { leaves, refused };
}

function pick(v: unknown, path: readonly string[]): unknown {
  let x = v;
  for (const k of path) {
    if (x === null || x === undefined || typeof x !== 'object') return null;
    x = (x as Record<string, unknown>)[k];
  }
  return x;
}

function fillColumn(builder: ColumnBuilder, column: ArrowColumn<unknown>, leaf: Leaf): void {
  let row = 0;
  for (const batch of column.data) {
    const n = batch.length;
    if (builder instanceof DatetimeBuilder) {
      for (let i = 0; i < n; i++) {
        const v = pick(batch.at(i), leaf.path);
        builder.set(row + i, v === null || v === undefined ? null : Number(v));
      }
    } else if (builder instanceof NumericBuilder) {
      const values = (batch as { values?: ArrayLike<number> }).values;
      if (leaf.path.length === 0 && batch.nullCount === 0 && (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array || values instanceof Int16Array || values instanceof Int8Array || values instanceof Uint8Array || values instanceof Uint16Array || values instanceof Uint32Array) && leaf.typeId !== Type.Decimal) {
        builder.values.set(values.length === n ? values : (values as Float64Array).subarray(0, n), row);
      } else {
        for (let i = 0; i < n; i++) {
          const v = pick(batch.at(i), leaf.path);
          builder.set(row + i, v === null || v === undefined ? null : Number(v));
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = pick(batch.at(i), leaf.path);
        builder.set(row + i, v === null || v === undefined ? null : typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v));
      }
    }
    row += n;
  }
}

export function readArrowBytes(bytes: Buffer, path: string, name: string, options: BinaryReadOptions): DataTable {
  let table: Table;
  try {
    table = tableFromIPC(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { useDate: false, useBigInt: false, useProxy: false });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    if (/compression codec/i.test(why)) throw new FatalInputError(path, 'unsupported-codec', `${why}; Dataset Lab reads uncompressed and ZSTD-compressed Arrow files`);
    throw new FatalInputError(path, 'corrupt-file', `not a readable Arrow IPC file (${why}); Feather files must be version 2 (Arrow IPC)`);
  }
  const { leaves, refused } = flatten(table.schema.fields);
  const wanted = options.columns ? new Set(options.columns) : undefined;
  const chosen = wanted ? leaves.filter((l) => wanted.has(l.name)) : leaves;
  const problems: Problem[] = refused.map((message) => ({ file: path, line: 1, column: 1, code: 'unsupported-column', message }));
  const rows = table.numRows;
  const missing = new Set(options.missingTokens);
  const builders: ColumnBuilder[] = [];
  for (const leaf of chosen) {
    const column = table.getChild(leaf.top) as ArrowColumn<unknown>;
    const builder =
      leaf.kind === 'numeric'
        ? new NumericBuilder(leaf.name, rows)
        : leaf.kind === 'datetime'
          ? new DatetimeBuilder(leaf.name, rows, leaf.typeId === Type.Date, leaf.utc)
          : new CategoricalBuilder(leaf.name, rows, missing);
    fillColumn(builder, column, leaf);
    builders.push(builder);
  }
  const built = buildColumns(builders, path, options.numericTolerance, options.dateFormats);
  problems.push(...built.problems);
  return { name, path, rows, columns: built.columns, problems, problemCount: problems.length, delimiter: '' };
}
