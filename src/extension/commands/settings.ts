/** Add Missing-Value Token: a quick fix of the language server writes the setting. */
import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import type { Ctx } from '../ctx';

export function registerSettingsCommands(ctx: Ctx): void {
  ctx.registerCommand(CommandIds.addMissingToken, (a) => addMissingToken(a));
}

/** Treat a value as missing in this workspace (or everywhere, without a workspace). */
export async function addMissingToken(a: unknown): Promise<void> {
  const value = typeof a === 'string' ? a : Array.isArray(a) && typeof a[0] === 'string' ? a[0] : undefined;
  if (value === undefined) return;
  const config = vscode.workspace.getConfiguration('datasetLab');
  const current = config.get<string[]>('missingTokens') ?? [];
  if (current.includes(value)) return;
  await config.update('missingTokens', [...current, value], vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}
