/**
 * Training view: live curves per metric, smoothing and log controls, throughput, ETA and Stop.
 * The status line's epoch and throughput, once they are those of the run's last epoch record,
 * and its epoch count are bound to the run folder (trainingStatusLinePaths: `history` = the last
 * line of history.jsonl, `experiment` = experiment.json), so the e2e reads them back there.
 */
import { trainingStatusLinePaths, type CurvePoint, type TrainingStatus } from '../src/protocol/dashboard';
import { formatCount, formatDuration, formatRate, formatRelativeTime, runName } from '../src/protocol/format';
import { CurveBoard, type CurveSettings } from './curves';
import { bound, h, icon, moment, named, type JsonPath } from './dom';

export interface TrainingViewOptions {
  readonly canStop: boolean;
  readonly onStop: () => Promise<void>;
}

export class TrainingView {
  readonly root = h('section', { class: 'view training-view', 'data-view': 'training' });
  private status: TrainingStatus | undefined;
  readonly board = new CurveBoard();
  private readonly settings: CurveSettings = { smoothing: 0.6, log: false };
  private readonly statusLine = h('div', { class: 'status-line', 'aria-live': 'polite' });
  private readonly stopButton: HTMLButtonElement;
  private readonly legendHost = h('div', {});
  private readonly sourceHost = h('div', {});
  private readonly emptyNote = h('div', { class: 'empty' }, icon('pulse'), h('p', {}, 'No training yet. Open an experiment file and choose "Run Experiment" (or the CodeLens above its first line).'));
  private built = false;

  constructor(private readonly options: TrainingViewOptions) {
    this.stopButton = h(
      'button',
      {
        class: 'danger',
        'data-action': 'stop',
        onclick: async () => {
          this.stopButton.disabled = true;
          await this.options.onStop().catch(() => undefined);
        },
      },
      icon('debug-stop'),
      ' Stop',
    );
  }

  reset(status: TrainingStatus | undefined, points: readonly CurvePoint[]): void {
    this.status = status;
    this.board.clear();
    this.board.add(points);
  }

  append(points: readonly CurvePoint[], status: TrainingStatus): void {
    this.status = status;
    this.board.add(points);
  }

  setStatus(status: TrainingStatus): void {
    this.status = status;
  }

  /** The run this view shows, for its tab: the experiment's name and when it started. */
  subject(): string {
    const s = this.status;
    if (!s) return '';
    return runName({ runId: s.runId || s.name, name: s.experiment ?? s.name, ...(s.startedAt ? { createdAt: s.startedAt } : {}) });
  }

  /** Which run, of which experiment and data files, the curves are of. */
  private source(s: TrainingStatus): HTMLElement {
    return h(
      'header',
      { class: 'view-source', 'data-source-of': 'training', 'data-run': s.runId },
      icon('pulse'),
      ' ',
      h('strong', { title: s.runId ? `run folder ${s.runId}` : '' }, named(s.experiment ?? s.name)),
      h(
        'span',
        { class: 'muted' },
        // The experiment file's name; a past run's folder id stays in the tooltip.
        s.experiment && s.experiment !== s.name && s.name !== s.runId ? ` · ${s.name}` : '',
        s.startedAt ? h('span', {}, ' · started ', moment(s.startedAt, formatRelativeTime(s.startedAt))) : null,
        s.datasets?.length ? ` · data ${s.datasets.join(', ')}` : '',
      ),
    );
  }

  /** The status line: state · model epoch N/M · throughput · ETA · error. */
  private statusParts(s: TrainingStatus): (Node | string)[] {
    const paths = trainingStatusLinePaths(s.modelType);
    // Bound to history.jsonl's last line only when they are that record's (not a batch's progress).
    const recorded = (text: string, path: JsonPath): Node | string => (s.recorded ? bound(text, path) : text);
    const parts: (Node | string)[][] = [[s.state]];
    if (s.arm) {
      const counter = s.modelType === 'gbm' ? 'iteration' : 'epoch';
      parts.push([
        h('span', { 'data-model': s.arm }, named(s.arm)),
        ...(s.epoch !== undefined ? [` ${counter} `, recorded(formatCount(s.epoch), paths.epoch), ...(s.epochs ? ['/', bound(formatCount(s.epochs), paths.epochs)] : [])] : []),
      ]);
    }
    if (s.samplesPerSecond) parts.push([recorded(formatRate(s.samplesPerSecond, '').trim(), paths.samplesPerSecond), ' samples/s']);
    if (s.state === 'running' && s.etaSeconds !== undefined) parts.push([`ETA ${formatDuration(s.etaSeconds)}`]);
    // Each part keeps to one line (the line breaks between parts, never inside "1,022,000 samples/s"); an error may wrap.
    const out = parts.flatMap((p, i) => [...(i === 0 ? [] : [' · ']), h('span', { class: 'part' }, ...p)]);
    return s.error ? [...out, ' · ', named(s.error)] : out;
  }

  private build(width: number): void {
    const smoothing = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: this.settings.smoothing, 'aria-label': 'Smoothing' });
    const smoothingValue = h('span', { class: 'muted' }, this.settings.smoothing.toFixed(2));
    smoothing.addEventListener('input', () => {
      this.settings.smoothing = Number(smoothing.value);
      smoothingValue.textContent = this.settings.smoothing.toFixed(2);
      this.render(width);
    });
    const log = h('input', { type: 'checkbox', 'data-control': 'log', checked: this.settings.log });
    log.addEventListener('change', () => {
      this.settings.log = log.checked;
      this.render(width);
    });
    this.root.replaceChildren(
      this.sourceHost,
      h('div', { class: 'toolbar' }, this.statusLine, h('label', {}, 'Smoothing ', smoothing, ' ', smoothingValue), h('label', {}, log, ' Log scale'), this.options.canStop ? this.stopButton : null),
      this.legendHost,
      this.emptyNote,
      this.board.el,
    );
    this.built = true;
  }

  render(width: number): { charts: number; rows: number } {
    if (!this.built) this.build(width);
    const s = this.status;
    this.emptyNote.hidden = !!s;
    if (s) {
      this.sourceHost.replaceChildren(this.source(s));
      this.statusLine.replaceChildren(...this.statusParts(s));
      this.statusLine.setAttribute('data-state', s.state);
      this.statusLine.className = `status-line state-${s.state}`;
      this.stopButton.disabled = s.state !== 'running';
      this.stopButton.hidden = s.state !== 'running';
    } else {
      this.sourceHost.replaceChildren();
      this.statusLine.replaceChildren();
      this.statusLine.removeAttribute('data-state');
      this.stopButton.hidden = true;
    }
    const charts = this.board.render(this.settings, width, { ...this.board.bestEpochs(), ...(s?.bestEpoch ?? {}) });
    this.legendHost.replaceChildren(this.board.legend());
    return { charts, rows: this.board.stats().drawn };
  }
}
