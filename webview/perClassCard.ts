/**
 * Results view, text runs: F1 of every class per dataset and arm on the test rows (support
 * beside), since text classes are rarely balanced and macro-F1 alone hides which class suffers.
 * Shown when results.json lists text features (`textFeatures`), with its `textNotes` above the table.
 */
import type { DashboardResults } from '../src/protocol/dashboard';
import { formatCount, formatFixed } from '../src/protocol/format';
import { bound, h, named } from './dom';

export function perClassCard(r: DashboardResults): HTMLElement | null {
  if (!r.textFeatures?.length) return null;
  // Each arm keeps its place in results.json: the shown F1s are bound to their JSON paths.
  const arms = r.arms.map((a, index) => ({ ...a, index })).filter((a) => !a.diverged);
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
              h('td', {}, named(s)),
              h('td', {}, named(c)),
              ...arms.map((a) => {
                const f1 = perClass(a, s)?.[c]?.f1;
                return h('td', { class: 'num', 'data-arm': a.arm }, f1 === undefined ? '-' : bound(formatFixed(f1, 3), ['arms', a.index, 'bySource', s, 'perClass', c, 'f1']));
              }),
              h('td', { class: 'num' }, support === undefined ? '-' : bound(formatCount(support), ['arms', arms.find((a) => perClass(a, s)?.[c]?.support !== undefined)?.index ?? 0, 'bySource', s, 'perClass', c, 'support'])),
            );
          }),
        ),
      ),
    ),
  );
}
