// The command ids of the code against package.json: every contributed command is implemented
// under its constant, every constant is contributed, and every command that a menu, a
// walkthrough link or a completion event names exists.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CommandIds } from '../../../src/extension/commandIds';
import { ServerCommands } from '../../../src/protocol/serverCommands';
import { repoRoot } from '../helpers';

interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    walkthroughs: { steps: { description: string; completionEvents?: string[] }[] }[];
  };
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const ids = new Set<string>(Object.values(CommandIds));

test('contributes.commands and CommandIds hold the same ids', () => {
  const contributed = manifest.contributes.commands.map((c) => c.command);
  assert.equal(new Set(contributed).size, contributed.length, 'no command is contributed twice');
  assert.deepEqual([...contributed].sort(), [...ids].sort());
  assert.equal(ids.size, Object.keys(CommandIds).length, 'no id under two names');
});

test('menus, walkthrough links and completion events name existing commands', () => {
  const named: string[] = [];
  for (const entries of Object.values(manifest.contributes.menus)) named.push(...entries.map((e) => e.command));
  for (const w of manifest.contributes.walkthroughs) {
    for (const step of w.steps) {
      for (const m of step.description.matchAll(/\(command:([\w.]+)/g)) named.push(m[1]);
      for (const e of step.completionEvents ?? []) if (e.startsWith('onCommand:')) named.push(e.slice('onCommand:'.length));
    }
  }
  assert.ok(named.length > 20, `found ${named.length} references`);
  for (const id of named) assert.ok(ids.has(id), `${id} is a command of CommandIds`);
});

test('the commands the language server calls are contributed and hidden from the palette', () => {
  const palette = manifest.contributes.menus.commandPalette;
  for (const id of Object.values(ServerCommands)) {
    assert.ok(ids.has(id), id);
    assert.equal(palette.find((m) => m.command === id)?.when, 'false', `${id} is hidden`);
  }
});
