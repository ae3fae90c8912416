/**
 * Where the dashboard runs: inside a VS Code webview (messages over postMessage with the
 * extension host, src/extension/dashboard.ts) or as a static HTML report (data read once from
 * the embedded JSON block; no requests possible). This bridge numbers the app's requests and
 * settles each with the host's reply of the same id; updates go to the app's handler.
 */
import type {
  DashboardPersistedState,
  DashboardReply,
  DashboardRequest,
  DashboardRequestType,
  DashboardSnapshot,
  DashboardUpdate,
  FromWebviewMessage,
  ReplyOf,
  RequestParams,
} from '../src/protocol/dashboard';
import { assertNever, isReply, replyTypeOf } from '../src/protocol/dashboard';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  readonly isStatic: boolean;
  send(message: FromWebviewMessage): void;
  /** Resolves with the host's reply; rejects with the host's error when the request failed. */
  request<T extends DashboardRequestType>(type: T, params: RequestParams<T>): Promise<ReplyOf<T>>;
  onMessage(handler: (m: DashboardUpdate) => void): void;
  persisted(): DashboardPersistedState | undefined;
  persist(state: DashboardPersistedState): void;
}

interface Pending {
  readonly request: DashboardRequestType;
  resolve(reply: DashboardReply): void;
  reject(e: Error): void;
}

class VsCodeHost implements Host {
  readonly isStatic = false;
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private handler: ((m: DashboardUpdate) => void) | undefined;

  constructor() {
    window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as DashboardUpdate | DashboardReply;
      if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') return;
      if (isReply(m)) this.settle(m);
      else this.handler?.(m);
    });
  }
  send(message: FromWebviewMessage): void {
    this.api.postMessage(message);
  }
  request<T extends DashboardRequestType>(type: T, params: RequestParams<T>): Promise<ReplyOf<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { request: type, resolve: (r) => resolve(r as ReplyOf<T>), reject });
      this.send({ ...params, type, id } as DashboardRequest);
    });
  }
  private settle(reply: DashboardReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    switch (reply.type) {
      case 'requestFailed':
        p.reject(new Error(reply.message));
        return;
      case 'scaffoldReply':
      case 'stopTrainingReply':
      case 'openRunReply':
      case 'runExperimentReply':
      case 'useMappingReply':
      case 'compareRunReply':
        if (reply.type === replyTypeOf(p.request)) p.resolve(reply);
        else p.reject(new Error(`the host answered a ${p.request} request with ${reply.type}`));
        return;
      default:
        assertNever(reply);
    }
  }
  onMessage(handler: (m: DashboardUpdate) => void): void {
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
  request<T extends DashboardRequestType>(): Promise<ReplyOf<T>> {
    return Promise.reject(new Error('not available in a static report'));
  }
  onMessage(handler: (m: DashboardUpdate) => void): void {
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
