/**
 * Results view, text runs: F1 of every class per dataset and arm on the test rows (support
 * beside), since text classes are rarely balanced and macro-F1 alone hides which class suffers.
 * Shown when results.json lists text features (`textFeatures`), with its `textNotes` above the table.
 */
import type { DashboardResults } from '../src/protocol/dashboard';
import { formatCount, formatFixed } from '../src/protocol/format';
import { h } from './dom';

export function perClassCard(r: DashboardResults): HTMLElement | null {
  if (!r.textFeatures?.length) return null;
  const arms = r.arms.filter((a) => !a.diverged);
  const perClass = (arm: (typeof arms)[number], source: string) => {
    const m = arm.bySource[source];
    return m && 'perClass' in m ? m.perClass : undefined;
  };
  const sources = [...new Set(arms.flatMap((a) => Object.keys(a.bySource)))].filter((s) => arms.some((a) => perClass(a, s)));
  if (!sources.length) return null;
  return h(
    'div',
    { class: 'card wide per-class-card', 'data-chart': 'per-class' },
    h('h3', {}, `Per-class F1 (text features: ${r.textFeatures.join(', ')})`),
    ...(r.textNotes?.length ? [h('ul', { class: 'text-notes' }, ...r.textNotes.map((n) => h('li', { class: 'muted' }, n)))] : []),
    h(
      'table',
      { class: 'data per-class-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'dataset'), h('th', {}, 'class'), ...arms.map((a) => h('th', { class: 'num' }, a.arm)), h('th', { class: 'num' }, 'test rows'))),
      h(
        'tbody',
        {},
        ...sources.flatMap((s) =>
          [...new Set(arms.flatMap((a) => Object.keys(perClass(a, s) ?? {})))].map((c) => {
            const support = arms.map((a) => perClass(a, s)?.[c]?.support).find((v) => v !== undefined);
            return h(
              'tr',
              { 'data-source': s, 'data-class': c },
              h('td', {}, s),
              h('td', {}, c),
              ...arms.map((a) => {
                const f1 = perClass(a, s)?.[c]?.f1;
                return h('td', { class: 'num', 'data-arm': a.arm }, f1 === undefined ? '-' : formatFixed(f1, 3));
              }),
              h('td', { class: 'num' }, support === undefined ? '-' : formatCount(support)),
            );
          }),
        ),
      ),
    ),
  );
}
