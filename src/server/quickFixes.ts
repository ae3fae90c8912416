/**
 * `textDocument/codeAction`: the quick fixes for the server's own diagnostics. Edits of the CSV
 * document (rewrite almost-numbers, delete duplicate rows, complete short rows, write missing
 * spellings as the missing token, rename a column to its partner's name), of an experiment file
 * (exclude a column, take the suggested column name), and a command for the client (add a
 * missing-value token to the settings). "All such" fixes come from the current model only.
 */
import * as path from 'node:path';
import { findNodeAtLocation, modify, type Node } from './jsonc';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ServerCommands } from '../protocol/serverCommands';
import { CellKind } from './csvScanner';
import type { CsvDocument } from './csvDocument';
import type { CsvModel } from './csvModel';
import { SOURCE, type DiagnosticData } from './diagnosticData';
import { parseExperiment } from './experiments';
import { Locator } from './locator';
import { numberRepairs, type NumberRepair } from './numberRepairs';
import { FLAG_UNTERMINATED } from './recordStore';
import { uriToPath, type ServerState } from './serverState';

/** Most cells (or rows) one "all such" quick fix rewrites (or deletes). */
const REPAIR_ALL_LIMIT = 10_000;

export class QuickFixes {
  constructor(private readonly state: ServerState) {}

  codeAction(params: CodeActionParams): CodeAction[] {
    const out: CodeAction[] = [];
    const uri = params.textDocument.uri;
    const excluded = new Set<string>();
    for (const d of params.context.diagnostics) {
      if (d.source !== SOURCE) continue;
      const data = (d.data ?? {}) as DiagnosticData;
      if (d.code === 'missing-spelling' && data.value !== undefined) {
        out.push({
          title: `Add "${data.value}" to the missing-value tokens`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          command: { title: `Add "${data.value}" to the missing-value tokens`, command: ServerCommands.addMissingToken, arguments: [data.value] },
        });
      }
      if (d.code === 'type-mismatch' && data.value !== undefined) {
        const repairs = numberRepairs(data.value);
        for (const r of repairs) {
          const how = r.kind === 'thousands' ? 'without the thousands separator' : 'with "." as the decimal mark';
          out.push({
            title: `Write ${r.text} (${how})`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: repairs.length === 1,
            edit: { changes: { [uri]: [{ range: d.range, newText: r.text }] } },
          });
          const all = data.column !== undefined ? this.repairAll(uri, data.column, r.kind) : undefined;
          if (all && all.length > 1) {
            out.push({ title: `Write all ${all.length} values like "${data.value}" in "${data.column}" ${how}`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: all } } });
          }
        }
      }
      if (d.code === 'duplicate-row') out.push(...this.duplicateRowActions(uri, d));
      if (d.code === 'ragged-row') out.push(...this.shortRowActions(uri, d));
      if (d.code === 'missing-spelling' && data.value !== undefined && data.column !== undefined) out.push(...this.missingSpellingActions(uri, d, data.column, data.value));
      if (d.code === 'partner-missing-column' && data.renameTo !== undefined) {
        const st = this.state.syncedDoc(uri);
        if (st?.model) {
          const c = st.model.cols.findIndex((col) => col.name === data.column);
          if (c >= 0) {
            const edit: TextEdit = { range: new Locator(st.model).headerCell(c), newText: csvField(data.renameTo, String.fromCharCode(st.model.delim)) };
            out.push({ title: `Rename column "${data.column}" to "${data.renameTo}" (as in the partner)`, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [edit] } } });
          }
        }
        // The finding is reported once for the pair: the other way round is to rename the partner's column.
        const there = data.partner ? this.partnerRename(data.partner, data.column) : undefined;
        if (there) out.push({ ...there, diagnostics: [d] });
      }
      if (d.code === 'experiment-unknown-column' && data.renameTo !== undefined) {
        out.push({
          title: `Change to "${data.renameTo}"`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [uri]: [{ range: d.range, newText: JSON.stringify(data.renameTo) }] } },
        });
      }
      if (data.experiment && data.datasetIndex !== undefined && data.column !== undefined && !excluded.has(data.column)) {
        const edit = this.excludeEdit(data.experiment, data.datasetIndex, data.column);
        if (edit) {
          excluded.add(data.column);
          out.push({ title: `Exclude column "${data.column}" in the experiment`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [data.experiment]: edit } } });
        }
      }
    }
    return out;
  }

  /**
   * "Rename "x" in partner.csv to "y"": an edit of the partner's header cell, found by name in
   * the partner's current model when it is open (it may have been edited since the finding),
   * else the cell the finding recorded (the file on disk, re-checked whenever it changes).
   */
  private partnerRename(partner: NonNullable<DiagnosticData['partner']>, to: string | undefined): Omit<CodeAction, 'diagnostics'> | undefined {
    if (to === undefined) return undefined;
    let range = partner.range;
    let delim = partner.delimiter;
    const open = this.state.syncedDoc(partner.uri);
    if (open) {
      const model = open.model;
      const c = model ? model.cols.findIndex((col) => col.name === partner.column) : -1;
      if (!model || c < 0) return undefined;
      range = new Locator(model).headerCell(c);
      delim = String.fromCharCode(model.delim);
    }
    const file = uriToPath(partner.uri);
    const name = file ? path.basename(file) : partner.uri;
    return {
      title: `Rename column "${partner.column}" in ${name} to "${to}"`,
      kind: CodeActionKind.QuickFix,
      edit: { changes: { [partner.uri]: [{ range, newText: csvField(to, delim) }] } },
    };
  }

  /** The model of an open CSV document when it is current (scanned, no full re-scan pending). */
  private currentModel(uri: string): { st: CsvDocument; model: CsvModel } | undefined {
    const st = this.state.syncedDoc(uri);
    const model = st?.model;
    if (!st || !model || st.needsFull || model.scanning) return undefined;
    return { st, model };
  }

  /** The current model's row whose record starts where `d` starts. */
  private rowOf(uri: string, d: Diagnostic): { model: CsvModel; row: number } | undefined {
    const current = this.currentModel(uri);
    if (!current || current.model.rows === 0) return undefined;
    const { st, model } = current;
    const offset = st.doc.offsetAt(d.range.start);
    const row = model.recordAt(offset);
    if (row < 0 || model.store.start[row] !== offset) return undefined;
    return { model, row };
  }

  /**
   * Edits rewriting every text cell of column `c` whose dictionary code has a rewrite
   * (`rewrite[code]`); undefined when none has one or there are more than REPAIR_ALL_LIMIT.
   */
  private rewriteCells(model: CsvModel, c: number, rewrite: readonly (string | undefined)[]): TextEdit[] | undefined {
    if (!rewrite.some((t) => t !== undefined)) return undefined;
    const kinds = model.store.kinds[c];
    const codes = model.store.codes[c]!;
    const loc = new Locator(model);
    const edits: TextEdit[] = [];
    for (let r = 0; r < model.rows; r++) {
      if (kinds[r] !== CellKind.Text) continue;
      const text = rewrite[codes[r]];
      if (text === undefined) continue;
      if (edits.length === REPAIR_ALL_LIMIT) return undefined;
      edits.push({ range: loc.cell(r, c), newText: text });
    }
    return edits;
  }

  /** "Add N empty fields" for a row shorter than the header (a long row's extra fields are left to the user: often an unquoted delimiter). */
  private shortRowActions(uri: string, d: Diagnostic): CodeAction[] {
    const at = this.rowOf(uri, d);
    if (!at) return [];
    const { model, row } = at;
    const missing = model.cols.length - model.store.fields[row];
    if (missing <= 0 || model.store.flags[row] & FLAG_UNTERMINATED) return [];
    const end = new Locator(model).at(model.recordEnd(row));
    const title = `Add ${missing} empty field${missing === 1 ? '' : 's'} to complete the row (missing values)`;
    return [{ title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: [{ range: { start: end, end }, newText: String.fromCharCode(model.delim).repeat(missing) }] } } }];
  }

  /**
   * For a cell that spells a missing value the settings do not know ("n/a"): write it as the
   * first configured token (usually the empty cell) instead, here or in every such cell of the
   * column. The other fix, adding the spelling to the tokens, keeps the file as it is.
   */
  private missingSpellingActions(uri: string, d: Diagnostic, column: string, value: string): CodeAction[] {
    const token = this.state.settings.missingTokens[0];
    if (token === undefined) return [];
    const model = this.state.syncedDoc(uri)?.model;
    const shown = token === '' ? 'an empty cell' : `"${token}"`;
    const field = model ? csvField(token, String.fromCharCode(model.delim)) : token;
    const out: CodeAction[] = [
      { title: `Replace "${value}" with ${shown} (a missing value)`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: [{ range: d.range, newText: field }] } } },
    ];
    const current = this.currentModel(uri);
    const c = current ? current.model.cols.findIndex((col) => col.name === column) : -1;
    if (!current || c < 0) return out;
    const edits = this.rewriteCells(current.model, c, current.model.cols[c].strings.map((v) => (v === value ? field : undefined)));
    if (edits && edits.length > 1) out.push({ title: `Replace all ${edits.length} "${value}" in "${column}" with ${shown}`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: edits } } });
    return out;
  }

  /**
   * "Delete this duplicate row" and "delete all duplicate rows" for a duplicate-row diagnostic,
   * from the current model (nothing when the model is not current or the row it points at is no
   * longer a duplicate). First occurrences are kept.
   */
  private duplicateRowActions(uri: string, d: Diagnostic): CodeAction[] {
    const at = this.rowOf(uri, d);
    if (!at) return [];
    const { model, row } = at;
    const first = model.duplicateRows().first;
    if (first[row] < 0 || first[row] === row) return [];
    const loc = new Locator(model);
    const out: CodeAction[] = [
      {
        title: `Delete this duplicate row (same as line ${model.store.line[first[row]] + 1})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: { changes: { [uri]: [{ range: loc.wholeRow(row), newText: '' }] } },
      },
    ];
    const all: TextEdit[] = [];
    for (let r = 0; r < model.rows; r++) {
      if (first[r] < 0 || first[r] === r) continue;
      if (all.length === REPAIR_ALL_LIMIT) return out;
      all.push({ range: loc.wholeRow(r), newText: '' });
    }
    if (all.length > 1) {
      out.push({ title: `Delete all ${all.length} duplicate rows (keep each first occurrence)`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: all } } });
    }
    return out;
  }

  /**
   * Edits rewriting every cell of `column` that reads as a number in the `kind` way (see
   * numberRepairs), from the current model; undefined when the model is not current or there
   * are more than REPAIR_ALL_LIMIT such cells.
   */
  private repairAll(uri: string, column: string, kind: NumberRepair['kind']): TextEdit[] | undefined {
    const current = this.currentModel(uri);
    const c = current ? current.model.cols.findIndex((col) => col.name === column) : -1;
    if (!current || c < 0) return undefined;
    // The rewrite of each distinct text value, computed once.
    return this.rewriteCells(current.model, c, current.model.cols[c].strings.map((v) => numberRepairs(v).find((r) => r.kind === kind)?.text));
  }

  /** Edits adding `column` to datasets[index].exclude of an experiment file (open or on disk). */
  private excludeEdit(expUri: string, index: number, column: string): TextEdit[] | undefined {
    const open = this.state.expDocs.get(expUri);
    const file = uriToPath(expUri);
    const exp = file ? this.state.index.get(file) : undefined;
    const text = open?.getText() ?? exp?.text;
    if (text === undefined) return undefined;
    const doc = open ?? TextDocument.create(expUri, 'json', 0, text);
    const parsed = parseExperiment(file ?? expUri, expUri, text);
    const ds = parsed.datasets.find((d) => d.index === index);
    if (!ds || ds.exclude.includes(column)) return undefined;
    const existing: Node | undefined = findNodeAtLocation(ds.node, ['exclude']);
    const options = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
    const edits =
      existing && existing.type === 'array'
        ? modify(text, ['datasets', index, 'exclude', existing.children?.length ?? 0], column, { ...options, isArrayInsertion: true })
        : modify(text, ['datasets', index, 'exclude'], [column], options);
    return edits.map((e) => ({ range: { start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + e.length) }, newText: e.content }));
  }
}

function csvField(value: string, delim: string): string {
  return /["\r\n]/.test(value) || value.includes(delim) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}
