// The command palette in the real workbench, shared by the e2e scripts.

/**
 * Runs the palette command whose row shows `title`. Commands register a moment after the
 * workbench appears, so the palette is reopened until the row shows (60 s at most). Keys typed
 * while a webview has focus stay in its frame: `focus` is clicked first to give the workbench focus.
 */
export async function palette(page, title, { focus = '.part.sidebar .composite.title', position } = {}) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await page.locator(focus).first().click(position ? { position } : {}).catch(() => {});
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`command "${title}" never appeared in the palette`);
    }
  }
}
