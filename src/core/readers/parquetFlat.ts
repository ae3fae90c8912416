/**
 * The fast path of the Parquet reader for flat columns (a top-level leaf, required or optional):
 * pages are walked and decoded with hyparquet's own page functions (header, decompression,
 * levels and values), and the values go straight into the table's arrays. hyparquet's general
 * reader boxes every value into a JavaScript array and assembles nulls row by row, which made a
 * Parquet file slower to read than the same table as CSV (bench/RESULTS.md, "Typed formats");
 * here a dictionary is mapped to our codes or numbers once per dictionary page and each row is
 * one array store. Structs and anything else go through the general reader (parquet.ts).
 */
import type { ColumnChunk, CompressionCodec, Compressors, DataPageHeader, DataReader, DecodedArray, FileMetaData, PageHeader, ParquetParsers, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS, convert } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getSchemaPath } from 'hyparquet/src/schema.js';
import type { CategoricalBuilder, ColumnBuilder } from './columnBuilder';


/** Whether `name` is a flat top-level column the fast path reads. */
export function isFlatColumn(metadata: FileMetaData, name: string): boolean {
  const path = getSchemaPath(metadata.schema, [name]) as SchemaTree[];
  const leaf = path[path.length - 1];
  return path.length === 2 && leaf.children.length === 0 && leaf.element.repetition_type !== 'REPEATED';
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime() / 1e3;
  return Number.NaN;
}

function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** One data page's rows: definition levels (1 = a value; null when every row has one), values in file order, and their encoding. */
interface DecodedPage {
  readonly defs: Uint8Array | null;
  readonly data: DecodedArray;
  readonly count: number;
  readonly encoding: string;
}

/** Definition levels of a flat optional column (width 1) into bytes; null when every row has a value. */
function levels(reader: DataReader, count: number, length?: number): { defs: Uint8Array | null; present: number } {
  const defs = new Uint8Array(count);
  readRleBitPackedHybrid(reader, 1, defs, length);
  let present = 0;
  for (let k = 0; k < count; k++) present += defs[k];
  return { defs: present === count ? null : defs, present };
}

/** Values of the common encodings into typed arrays (dictionary indices into an Int32Array); undefined for the others. */
function values(reader: DataReader, encoding: string, type: string, n: number, typeLength: number | undefined, end: number): DecodedArray | undefined {
  if (encoding === 'PLAIN') return readPlain(reader, type as never, n, typeLength);
  if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
    const indices = new Int32Array(n);
    const width = reader.view.getUint8(reader.offset++);
    if (width) readRleBitPackedHybrid(reader, width, indices, end - reader.offset);
    return indices;
  }
  return undefined;
}

/** A version 1 data page (already decompressed): [definition levels][values]; other encodings through hyparquet's page reader. */
function decodeV1(bytes: Uint8Array, daph: DataPageHeader, decoder: { element: { type_length?: number }; type: string } & object, optional: boolean): DecodedPage {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const count = daph.num_values;
  const { defs, present } = optional ? levels(reader, count) : { defs: null, present: count };
  const data = values(reader, daph.encoding, decoder.type, present, decoder.element.type_length, bytes.byteLength);
  if (data) return { defs, data, count, encoding: daph.encoding };
  const page = readDataPage(bytes, daph, decoder);
  return { defs: definedRows(page.definitionLevels, count), data: page.dataPage, count, encoding: daph.encoding };
}

/** A version 2 data page: levels stored uncompressed before the (maybe compressed) values. */
function decodeV2(compressed: Uint8Array, header: PageHeader, decoder: { element: { type_length?: number }; type: string; codec: CompressionCodec } & object, optional: boolean, compressors: Compressors): DecodedPage {
  const h = header.data_page_header_v2;
  if (!h) throw new Error('data page v2 without its header');
  const count = h.num_values;
  const reader = { view: new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength), offset: h.repetition_levels_byte_length };
  const { defs, present } = optional && h.definition_levels_byte_length > 0 ? levels(reader, count, h.definition_levels_byte_length) : { defs: null, present: count };
  const skip = h.repetition_levels_byte_length + h.definition_levels_byte_length;
  const size = header.uncompressed_page_size - skip;
  const body = h.is_compressed !== false && size ? decompressPage(compressed.subarray(skip), size, decoder.codec, compressors) : compressed.subarray(skip);
  const data = values({ view: new DataView(body.buffer, body.byteOffset, body.byteLength), offset: 0 }, h.encoding, decoder.type, present, decoder.element.type_length, body.byteLength);
  if (data) return { defs, data, count, encoding: h.encoding };
  const page = readDataPageV2(compressed, header, decoder);
  return { defs: definedRows(page.definitionLevels, count), data: page.dataPage, count, encoding: h.encoding };
}

/** hyparquet's definition levels (empty when every row has a value) as ours. */
function definedRows(levels: readonly number[], count: number): Uint8Array | null {
  return levels.length ? Uint8Array.from({ length: count }, (_, k) => (levels[k] === 1 ? 1 : 0)) : null;
}

/**
 * Reads column `name` of every row group into `builder` (rows in file order). Throws on anything
 * the page functions refuse (the caller turns it into a FatalInputError naming the file).
 */
export function readFlatColumn(buffer: ArrayBuffer, metadata: FileMetaData, name: string, builder: ColumnBuilder, parsers: Partial<ParquetParsers>, compressors: Compressors): void {
  const schemaPath = getSchemaPath(metadata.schema, [name]) as SchemaTree[];
  const element = schemaPath[schemaPath.length - 1].element;
  const optional = element.repetition_type === 'OPTIONAL';
  // Numbers and datetimes (milliseconds, from the reader's parsers) land in a Float64Array alike.
  const valueBuilder = 'values' in builder ? (builder as { values: Float64Array; missing: number }) : undefined;
  let row = 0;
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find((c: ColumnChunk) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name);
    const meta = chunk?.meta_data;
    if (!meta) throw new Error(`column "${name}" has no data in a row group`);
    const decoder = { pathInSchema: [name], element, schemaPath, type: meta.type, codec: meta.codec as CompressionCodec, compressors, parsers: { ...DEFAULT_PARSERS, ...parsers }, utf8: true };
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const bytes = new Uint8Array(buffer, start, Number(meta.total_compressed_size));
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    let dictNumbers: Float64Array | undefined;
    let dictCodes: Int32Array | undefined;
    let left = Number(group.num_rows);
    while (left > 0) {
      const header = parquetHeader(reader);
      const compressed = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      if (header.type === 'DICTIONARY_PAGE') {
        const dph = header.dictionary_page_header;
        if (!dph) throw new Error('dictionary page without its header');
        const page = decompressPage(compressed, header.uncompressed_page_size, meta.codec, compressors);
        const raw = readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, meta.type, dph.num_values, element.type_length);
        const values = convert(raw, decoder) as ArrayLike<unknown>;
        if (valueBuilder) dictNumbers = Float64Array.from({ length: values.length }, (_, k) => toNumber(values[k]));
        else {
          const cat = builder as CategoricalBuilder;
          dictCodes = Int32Array.from({ length: values.length }, (_, k) => (values[k] === null || values[k] === undefined ? -1 : cat.codeOf(toText(values[k]))));
        }
        continue;
      }
      let page: DecodedPage;
      if (header.type === 'DATA_PAGE') {
        const daph = header.data_page_header;
        if (!daph) throw new Error('data page without its header');
        const bytes = decompressPage(compressed, header.uncompressed_page_size, meta.codec, compressors);
        page = decodeV1(bytes, daph, decoder, optional);
      } else if (header.type === 'DATA_PAGE_V2') {
        page = decodeV2(compressed, header, decoder, optional, compressors);
      } else continue;
      const { defs, data, count, encoding } = page;
      const dictionary = encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
      if (dictionary && !dictNumbers && !dictCodes) throw new Error('dictionary-encoded page before any dictionary');
      // Dictionary pages hold indices; other pages values to convert (dates, decimals, text).
      const values = dictionary ? data : (convert(data, decoder) as ArrayLike<unknown>);
      // No definition levels: every row of the page has a value.
      const present = defs;
      let j = 0;
      if (valueBuilder) {
        const out = valueBuilder.values;
        for (let k = 0; k < count; k++) {
          if (present && present[k] !== 1) {
            valueBuilder.missing++;
            continue;
          }
          const v = dictionary ? (dictNumbers as Float64Array)[values[j++] as number] : toNumber(values[j++]);
          if (Number.isNaN(v)) valueBuilder.missing++;
          else out[row + k] = v;
        }
      } else {
        const cat = builder as CategoricalBuilder;
        for (let k = 0; k < count; k++) {
          if (present && present[k] !== 1) {
            cat.missing++;
            continue;
          }
          const v = values[j++];
          const code = dictionary ? (dictCodes as Int32Array)[v as number] : v === null || v === undefined ? -1 : cat.codeOf(toText(v));
          cat.setCode(row + k, code);
        }
      }
      row += count;
      left -= count;
    }
  }
}
