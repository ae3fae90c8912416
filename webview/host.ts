/**
 * Where the dashboard runs: inside a VS Code webview (messages over postMessage) or as a
 * static HTML report (data read once from the embedded JSON block; no requests possible).
 */
import type { DashboardPersistedState, DashboardRequest, DashboardSnapshot, FromWebviewMessage, ToWebviewMessage } from '../src/protocol/dashboard';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  readonly isStatic: boolean;
  send(message: FromWebviewMessage): void;
  request(request: DashboardRequest): Promise<void>;
  onMessage(handler: (m: ToWebviewMessage) => void): void;
  persisted(): DashboardPersistedState | undefined;
  persist(state: DashboardPersistedState): void;
}

class VsCodeHost implements Host {
  readonly isStatic = false;
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private handler: ((m: ToWebviewMessage) => void) | undefined;

  constructor() {
    window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as ToWebviewMessage;
      if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') return;
      if (m.type === 'response') {
        const p = this.pending.get(m.id);
        if (p) {
          this.pending.delete(m.id);
          if (m.ok) p.resolve();
          else p.reject(new Error(m.error ?? 'request failed'));
        }
        return;
      }
      this.handler?.(m);
    });
  }
  send(message: FromWebviewMessage): void {
    this.api.postMessage(message);
  }
  request(request: DashboardRequest): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'request', id, request });
    });
  }
  onMessage(handler: (m: ToWebviewMessage) => void): void {
    this.handler = handler;
  }
  persisted(): DashboardPersistedState | undefined {
    const s = this.api.getState() as Partial<DashboardPersistedState> | undefined;
    return s && s.version === 1 && s.view ? (s as DashboardPersistedState) : undefined;
  }
  persist(state: DashboardPersistedState): void {
    this.api.setState(state);
  }
}

class StaticHost implements Host {
  readonly isStatic = true;
  send(): void {
    /* nobody listens in a static report */
  }
  request(): Promise<void> {
    return Promise.reject(new Error('not available in a static report'));
  }
  onMessage(handler: (m: ToWebviewMessage) => void): void {
    const el = document.getElementById('dataset-lab-data');
    if (!el?.textContent) return;
    const snapshot = JSON.parse(el.textContent) as DashboardSnapshot;
    queueMicrotask(() => handler({ type: 'snapshot', snapshot: { ...snapshot, staticReport: true } }));
  }
  persisted(): DashboardPersistedState | undefined {
    return undefined;
  }
  persist(): void {
    /* nothing to keep */
  }
}

export function createHost(): Host {
  return typeof acquireVsCodeApi === 'function' ? new VsCodeHost() : new StaticHost();
}
