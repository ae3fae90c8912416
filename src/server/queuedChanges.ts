/**
 * What the server needs to coalesce a burst of edits: when each didChange arrived, and whether
 * more are already waiting behind it. The JSON-RPC connection queues received messages and
 * handles one per turn of the event loop, so a handler cannot tell "the client is typing" from
 * "10,000 edits are queued". This reader sits between the transport and the connection and
 * notes the arrival of every didChange; the didChange handler takes them in the same order.
 */
import { DidChangeTextDocumentNotification, Message, type DataCallback, type Disposable, type MessageReader } from 'vscode-languageserver/node';

export interface EditArrival {
  /** Milliseconds between this edit's arrival and the previous edit's (Infinity for the first). */
  readonly gapMs: number;
  /** More didChange notifications were received and wait to be handled. */
  readonly moreQueued: boolean;
  /** The very next message is another didChange of the same document. */
  readonly nextIsSameDocument: boolean;
}

interface Arrival {
  /** Position among all messages received. */
  readonly seq: number;
  /** performance.now() when it was received. */
  readonly at: number;
  readonly uri: string | undefined;
}

export class QueuedChanges implements MessageReader {
  /** didChange notifications received and not yet handled, from `head`. */
  private arrivals: Arrival[] = [];
  private head = 0;
  private received = 0;
  private lastArrival = -Infinity;

  constructor(private readonly inner: MessageReader) {}

  get onError(): MessageReader['onError'] {
    return this.inner.onError;
  }

  get onClose(): MessageReader['onClose'] {
    return this.inner.onClose;
  }

  get onPartialMessage(): MessageReader['onPartialMessage'] {
    return this.inner.onPartialMessage;
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => {
      const seq = this.received++;
      if (Message.isNotification(message) && message.method === DidChangeTextDocumentNotification.method) {
        const params = message.params as { textDocument?: { uri?: unknown } } | undefined;
        const uri = params?.textDocument?.uri;
        this.arrivals.push({ seq, at: performance.now(), uri: typeof uri === 'string' ? uri : undefined });
      }
      callback(message);
    });
  }

  dispose(): void {
    this.inner.dispose();
  }

  /** For the didChange being handled now (handlers run in arrival order). */
  next(): EditArrival {
    const current = this.head < this.arrivals.length ? this.arrivals[this.head++] : undefined;
    if (this.head >= 1024 && this.head * 2 >= this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.head);
      this.head = 0;
    }
    const at = current?.at ?? performance.now();
    const gapMs = at - this.lastArrival;
    this.lastArrival = at;
    const following = this.head < this.arrivals.length ? this.arrivals[this.head] : undefined;
    // Messages are handled in the order received: the next one is this edit's successor in `seq`.
    const nextIsSameDocument = current !== undefined && following !== undefined && following.seq === current.seq + 1 && following.uri === current.uri;
    return { gapMs, moreQueued: following !== undefined, nextIsSameDocument };
  }
}
