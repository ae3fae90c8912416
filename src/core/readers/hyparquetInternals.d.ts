/**
 * Types of the hyparquet modules the flat-column fast path (parquetFlat.ts) imports by path.
 * hyparquet exports them (`hyparquet/src/*.js` in its package.json) with types of their own,
 * which this project's module resolution does not read; these declare what is used, in
 * hyparquet's own type names.
 */
declare module 'hyparquet/src/column.js' {
  import type { DataReader, PageHeader } from 'hyparquet';
  export function parquetHeader(reader: DataReader): PageHeader;
}

declare module 'hyparquet/src/convert.js' {
  import type { DecodedArray, ParquetParsers, SchemaElement, SchemaTree } from 'hyparquet';
  export interface ColumnDecoderLike {
    readonly element: SchemaElement;
    readonly schemaPath: SchemaTree[];
    readonly parsers: ParquetParsers;
    readonly utf8?: boolean;
  }
  export const DEFAULT_PARSERS: ParquetParsers;
  export function convert(data: DecodedArray, columnDecoder: ColumnDecoderLike): DecodedArray;
}

declare module 'hyparquet/src/datapage.js' {
  import type { CompressionCodec, Compressors, DataPageHeader, DecodedArray, PageHeader } from 'hyparquet';
  export interface DataPage {
    readonly definitionLevels: number[];
    readonly repetitionLevels: number[];
    readonly dataPage: DecodedArray;
  }
  export function decompressPage(compressedBytes: Uint8Array, uncompressedPageSize: number, codec: CompressionCodec, compressors: Compressors | undefined): Uint8Array;
  export function readDataPage(bytes: Uint8Array, daph: DataPageHeader, columnDecoder: object): DataPage;
  export function readDataPageV2(compressedBytes: Uint8Array, ph: PageHeader, columnDecoder: object): DataPage;
}

declare module 'hyparquet/src/plain.js' {
  import type { DataReader, DecodedArray, ParquetType } from 'hyparquet';
  export function readPlain(reader: DataReader, type: ParquetType, count: number, fixedLength: number | undefined): DecodedArray;
}

declare module 'hyparquet/src/schema.js' {
  import type { SchemaElement, SchemaTree } from 'hyparquet';
  export function getSchemaPath(schema: SchemaElement[], name: string[]): SchemaTree[];
}

declare module 'hyparquet/src/encoding.js' {
  import type { DataReader, DecodedArray } from 'hyparquet';
  /** Fills `output` (its length is the count) from a run-length / bit-packed hybrid run; `length` absent: read from a 4-byte prefix. */
  export function readRleBitPackedHybrid(reader: DataReader, width: number, output: DecodedArray, length?: number): void;
}
