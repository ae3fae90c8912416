/** Open Bundled Example (the walkthrough's first step). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import type { Ctx } from '../ctx';
import { workspaceRoot, type CompareArgs } from './args';
import { compare } from './compare';

export function registerExampleCommands(ctx: Ctx): void {
  ctx.registerCommand(CommandIds.openExample, () => openExample(ctx));
}

/** Copies the bundled weather example into the workspace and compares it. */
export async function openExample(ctx: Ctx): Promise<void> {
  const root = workspaceRoot();
  const src = vscode.Uri.joinPath(ctx.extensionUri, 'examples', 'weather');
  if (!root) {
    await vscode.commands.executeCommand('vscode.openFolder', src, { forceNewWindow: false });
    return;
  }
  const dest = vscode.Uri.file(join(root, 'dataset-lab-example'));
  for (const name of ['seattle.csv', 'new-york.csv']) {
    const target = vscode.Uri.joinPath(dest, name);
    if (!existsSync(target.fsPath)) await vscode.workspace.fs.copy(vscode.Uri.joinPath(src, name), target);
  }
  const files = [vscode.Uri.joinPath(dest, 'seattle.csv'), vscode.Uri.joinPath(dest, 'new-york.csv')];
  await vscode.window.showTextDocument(files[0], { preview: true });
  await compare(ctx, { files, labels: ['weather'] } satisfies CompareArgs);
}
