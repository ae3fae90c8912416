/**
 * The column names of a table file without reading its data, for pickers (label columns):
 * a CSV's header line, a Parquet file's footer, a JSON Lines file's first objects. Arrow IPC keeps
 * its schema in a message that flechette decodes only with the file, so an Arrow file is read
 * whole (its columns are not decoded). Names are what readTable would produce (dotted struct
 * leaves, lists left out).
 */
import { parquetMetadataAsync, parquetSchema, type SchemaTree } from 'hyparquet';
import { Type, tableFromIPC, type Field } from '@uwdata/flechette';
import { openRegularFile } from '../ingest';
import { FatalInputError } from '../table';
import { tableFormatOf } from './formats';

const HEAD_BYTES = 64 * 1024;

function parquetNames(node: SchemaTree, prefix: string, out: string[]): void {
  for (const child of node.children) {
    const e = child.element;
    const name = prefix ? `${prefix}.${e.name}` : e.name;
    const nested = e.repetition_type === 'REPEATED' || e.converted_type === 'LIST' || e.converted_type === 'MAP' || e.logical_type?.type === 'LIST' || e.logical_type?.type === 'MAP';
    if (nested) continue;
    if (child.children.length === 0) out.push(name);
    else parquetNames(child, name, out);
  }
}

function jsonKeys(obj: Record<string, unknown>, prefix: string, out: Set<string>): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) jsonKeys(v as Record<string, unknown>, key, out);
    else if (!Array.isArray(v)) out.add(key);
  }
}

/** Column names of a Parquet, Arrow or JSON Lines file; undefined for CSV (read its header line instead). */
export async function readColumnNames(path: string): Promise<string[] | undefined> {
  const format = tableFormatOf(path);
  if (format === 'csv') return undefined;
  const { handle, size } = await openRegularFile(path);
  try {
    if (format === 'parquet') {
      const file = {
        byteLength: size,
        slice: async (start: number, end?: number) => {
          const length = (end ?? size) - start;
          const buf = Buffer.alloc(length);
          await handle.read(buf, 0, length, start);
          return buf.buffer.slice(buf.byteOffset, buf.byteOffset + length) as ArrayBuffer;
        },
      };
      try {
        const out: string[] = [];
        parquetNames(parquetSchema(await parquetMetadataAsync(file)), '', out);
        return out;
      } catch (e) {
        throw new FatalInputError(path, 'corrupt-file', `not a readable Parquet file (${(e as Error).message})`);
      }
    }
    if (format === 'arrow') {
      try {
        const out: string[] = [];
        const visit = (f: Field, prefix: string): void => {
          const name = prefix ? `${prefix}.${f.name}` : f.name;
          if (f.type.typeId === Type.Struct) for (const child of (f.type as { children: Field[] }).children) visit(child, name);
          else if (![Type.List, Type.LargeList, Type.FixedSizeList, Type.Map, Type.Union, Type.ListView, Type.LargeListView].includes(f.type.typeId as never)) out.push(name);
        };
        for (const f of tableFromIPC(await handle.readFile()).schema.fields) visit(f, '');
        return out;
      } catch (e) {
        throw new FatalInputError(path, 'corrupt-file', `not a readable Arrow IPC file (${(e as Error).message})`);
      }
    }
    const buf = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const lines = buf.subarray(0, bytesRead).toString('utf8').split('\n');
    if (bytesRead < size) lines.pop();
    const keys = new Set<string>();
    for (const line of lines) {
      try {
        const v: unknown = JSON.parse(line);
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) jsonKeys(v as Record<string, unknown>, '', keys);
      } catch {
        // a bad line is the reader's to report
      }
    }
    return [...keys];
  } finally {
    await handle.close();
  }
}
