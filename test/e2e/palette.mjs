// The command palette and quick picks in the real workbench, shared by the e2e scripts.

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

export async function quickPickVisible(page, placeholderOrTitle) {
  const w = page.locator('.quick-input-widget', { hasText: placeholderOrTitle });
  await w.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
    await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 10_000 });
  });
  return page.locator('.quick-input-widget');
}

/** In a multi-select quick pick, exactly the rows whose label contains one of `labels` ticked (others unticked). */
/**
 * Ticks (or unticks) one row of a multi-select quick pick. Ticking re-renders the list, so the
 * row's checkbox may be replaced while it is clicked ("Element is not attached to the DOM"):
 * the click is sent again only when the row's state has not changed a second later.
 */
export async function setTicked(page, row, want, label) {
  const deadline = Date.now() + 10_000;
  while (((await row.getAttribute('aria-checked')) === 'true') !== want) {
    if (Date.now() > deadline) throw new Error(`could not ${want ? 'tick' : 'untick'} "${label}" in the quick pick`);
    // A hover over the row may cover it: the click goes to the checkbox element itself.
    await page.mouse.move(0, 0);
    await row
      .locator('.quick-input-list-checkbox, input[type=checkbox], .monaco-custom-toggle')
      .first()
      .dispatchEvent('click', undefined, { timeout: 2000 })
      .catch((e) => {
        if (!/not attached|detached|Timeout/i.test(String(e?.message))) throw e;
      });
    for (const t = Date.now(); Date.now() - t < 1000; ) {
      if (((await row.getAttribute('aria-checked')) === 'true') === want) return;
      await page.waitForTimeout(100);
    }
  }
}

export async function pickExactly(page, labels) {
  const widget = await quickPickVisible(page, 'CSV');
  await widget.locator('.monaco-list-row').first().waitFor({ state: 'visible', timeout: 10_000 });
  const rows = widget.locator('.monaco-list-row');
  // Every wanted file must be listed before anything is ticked: a file copied in just before may
  // not be listed yet, and Enter would then compare fewer files than the step means to.
  for (const t = Date.now(); ; ) {
    const texts = await rows.allTextContents();
    if (labels.every((l) => texts.some((x) => x.includes(l)))) break;
    if (Date.now() - t > 10_000) throw new Error(`the file pick lists ${JSON.stringify(texts)}, not every one of ${JSON.stringify(labels)}`);
    await page.waitForTimeout(200);
  }
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    const text = (await row.textContent()) ?? '';
    const want = labels.some((l) => text.includes(l));
    await setTicked(page, row, want, text);
  }
  await page.keyboard.press('Enter');
}

export async function pickOne(page, label) {
  const widget = page.locator('.quick-input-widget');
  const row = widget.locator('.monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  // Filter to the row, then accept it with Enter (a hover can cover a click target).
  await widget.locator('input.input').fill(label);
  await widget.locator('.monaco-list-row.focused', { hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}
