/**
 * CSV files too large for VS Code to hand to extensions. The editor keeps models over 50 MB to
 * itself: no TextDocument, no didOpen, so the language server would never see them. This
 * watches the editor tabs for such files and tells the server, which checks them from disk
 * (DiskFilesNotification in src/protocol/lsp.ts); their diagnostics then appear like any other.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { isCsvPath } from '../protocol/files';
import { DiskFilesNotification } from '../protocol/lsp';

/** VS Code's synchronisation limit for text models (characters; a file of fewer bytes never exceeds it). */
export const MODEL_SYNC_LIMIT = 50 * 1024 * 1024;

export class LargeFiles implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private sent = '';
  private updating: Promise<void> = Promise.resolve();

  constructor(private readonly client: LanguageClient) {
    const update = () => {
      this.updating = this.updating.then(() => this.update());
    };
    this.subscriptions.push(vscode.window.tabGroups.onDidChangeTabs(update), vscode.workspace.onDidOpenTextDocument(update), vscode.workspace.onDidCloseTextDocument(update));
    update();
  }

  private async update(): Promise<void> {
    const synced = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const candidates = new Map<string, vscode.Uri>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (!(input instanceof vscode.TabInputText) || input.uri.scheme !== 'file' || !isCsvPath(input.uri.path)) continue;
        if (!synced.has(input.uri.toString())) candidates.set(input.uri.toString(), input.uri);
      }
    }
    // A tab restored but not yet shown has no document either: only files too large to be
    // synchronised are the server's to read.
    const uris: string[] = [];
    for (const [key, uri] of candidates) {
      try {
        if ((await vscode.workspace.fs.stat(uri)).size > MODEL_SYNC_LIMIT) uris.push(key);
      } catch {
        // Deleted meanwhile.
      }
    }
    uris.sort();
    const key = uris.join('\n');
    if (key === this.sent) return;
    this.sent = key;
    await this.client.sendNotification(DiskFilesNotification.type, { uris });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
