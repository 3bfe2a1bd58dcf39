// The client: one connection for calls, one per event stream; promises for calls, an async
// iterator and an EventEmitter for events, resumed with `since` when the daemon restarts.

import { EventEmitter } from "node:events";
import net from "node:net";
import { join } from "node:path";

import { CallTimeoutError, DaemonUnavailableError, RpcError, type RpcErrorData } from "./errors.js";
import { ERRORS_BY_CODE, Methods, type Event, type EventKind, type EventsSubscribeResult } from "./generated.js";

/** `$CXONE_CHATD_SOCKET`, else the daemon's default (`$XDG_RUNTIME_DIR/cxone-chatd/rpc.sock`, else `/run/cxone-chatd/rpc.sock`). */
export function defaultSocket(): string {
  if (process.env.CXONE_CHATD_SOCKET) return process.env.CXONE_CHATD_SOCKET;
  if (process.env.XDG_RUNTIME_DIR) return join(process.env.XDG_RUNTIME_DIR, "cxone-chatd", "rpc.sock");
  return "/run/cxone-chatd/rpc.sock";
}

/** Events kept for a stream's iterator while nobody reads them. */
const QUEUE_LIMIT = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  method: string;
}

/** One socket: requests out, answers matched by id, events handed to `onEvent`. */
class Connection {
  private buffer = "";
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  closed = false;
  onEvent: (params: Record<string, unknown>) => void = () => {};
  onClose: () => void = () => {};

  private constructor(
    readonly path: string,
    private readonly socket: net.Socket,
  ) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.data(chunk));
    socket.on("error", () => {});
    socket.on("close", () => this.closedByPeer());
  }

  static async open(path: string, waitMs = 0): Promise<Connection> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection({ path });
          s.once("connect", () => resolve(s));
          s.once("error", reject);
        });
        return new Connection(path, socket);
      } catch (e) {
        if (Date.now() >= deadline) {
          const err = e as NodeJS.ErrnoException;
          throw new DaemonUnavailableError(path, err.code ?? err.message);
        }
        await sleep(100);
      }
    }
  }

  call(method: string, params: object, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new DaemonUnavailableError(this.path, "the daemon closed the connection"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CallTimeoutError(`no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }

  private data(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (msg.method === "events.event") {
        this.onEvent((msg.params ?? {}) as Record<string, unknown>);
      } else if (typeof msg.id === "number") {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        const error = msg.error as { code?: number; message?: string; data?: RpcErrorData } | undefined;
        if (error) {
          const code = error.code ?? 0;
          const Cls = ERRORS_BY_CODE[code] ?? RpcError;
          p.reject(new Cls(code, error.message ?? "", error.data ?? {}, p.method));
        } else {
          p.resolve(msg.result);
        }
      }
    }
  }

  private closedByPeer(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new DaemonUnavailableError(this.path, "the daemon closed the connection"));
    this.pending.clear();
    this.onClose();
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** Options of {@link Client.connect}. */
export interface ClientOptions {
  /** How long to wait for each answer (default 30 000 ms). */
  timeoutMs?: number;
  /** How long to give the daemon to come up (default 0: fail at once). */
  waitMs?: number;
}

/** Options of {@link Client.events}. */
export interface EventsOptions {
  /** Only events of this session (and daemon-wide ones). */
  session?: string;
  /** Only these kinds. */
  kinds?: EventKind[];
  /** Replay what came after this event first. */
  since?: { epoch: string; seq: number };
  /** Wait for the daemon and re-subscribe when it goes away (default true); else the stream ends. */
  resume?: boolean;
}

/**
 * A client of cxone-chatd. Every API method is a method named after it in camelCase
 * (`thread.send` → `threadSend({threadId, text})`) returning a promise of its typed result.
 * Daemon errors reject with {@link RpcError} subclasses; a missing daemon with
 * {@link DaemonUnavailableError}. After a daemon restart the next call reconnects by itself.
 */
export class Client extends Methods {
  private conn: Connection | undefined;
  private readonly streams = new Set<EventStream>();

  private constructor(
    readonly socket: string,
    readonly timeoutMs: number,
  ) {
    super();
  }

  /** Connects to the daemon at `socket` (default: {@link defaultSocket}). */
  static async connect(socket: string = defaultSocket(), options: ClientOptions = {}): Promise<Client> {
    const client = new Client(socket, options.timeoutMs ?? 30_000);
    client.conn = await Connection.open(socket, options.waitMs ?? 0);
    return client;
  }

  protected async request(method: string, params: object): Promise<unknown> {
    if (!this.conn || this.conn.closed) this.conn = await Connection.open(this.socket);
    return this.conn.call(method, params, this.timeoutMs);
  }

  /** Calls any method by name, with params by name. */
  call(method: string, params: object = {}): Promise<unknown> {
    return this.request(method, params);
  }

  /**
   * The events of a subscription, on a connection of their own: `for await (const e of stream)`
   * or `stream.on("message.created", …)`. When the daemon goes away the stream waits for it and
   * re-subscribes with `since`; if the new daemon cannot replay (a new epoch), an
   * `events.resyncRequired` event comes first (also emitted as `"resync"`).
   */
  events(options: EventsOptions = {}): EventStream {
    const stream = new EventStream(this.socket, options, this.timeoutMs);
    this.streams.add(stream);
    return stream;
  }

  /** Closes the connection and every event stream. */
  close(): void {
    for (const s of this.streams) s.close();
    this.conn?.close();
  }
}

/**
 * Events as an async iterator and an EventEmitter: `"event"` for every event, and each kind
 * under its own name (`"message.created"`, …); `"resync"` when events were lost across a
 * restart, `"disconnected"` and `"resumed"` around a daemon restart, `"end"` when it stops.
 */
export class EventStream extends EventEmitter implements AsyncIterable<Event> {
  /** `{epoch, seq}` of the newest event received: where a resumed subscription starts. */
  cursor: { epoch: string; seq: number } | undefined;
  private conn: Connection | undefined;
  private readonly queue: Event[] = [];
  private readonly waiters: Array<(e: Event | undefined) => void> = [];
  private ended = false;
  private subscribing: Promise<EventsSubscribeResult> | undefined;
  private started = false;

  constructor(
    readonly socket: string,
    private readonly options: EventsOptions,
    private readonly timeoutMs: number,
  ) {
    super();
    this.cursor = options.since;
  }

  /** Subscribes now (iteration does it on first use); resolves with the subscription. */
  subscribe(): Promise<EventsSubscribeResult> {
    this.started = true;
    this.subscribing ??= this.doSubscribe();
    return this.subscribing;
  }

  private async doSubscribe(): Promise<EventsSubscribeResult> {
    const conn = await Connection.open(this.socket);
    conn.onEvent = (p) => this.push(p as unknown as Event);
    const params: Record<string, unknown> = {};
    if (this.options.session !== undefined) params.session = this.options.session;
    if (this.options.kinds?.length) params.kinds = this.options.kinds;
    if (this.cursor) params.since = this.cursor;
    let result: EventsSubscribeResult;
    try {
      result = (await conn.call("events.subscribe", params, this.timeoutMs)) as EventsSubscribeResult;
    } catch (e) {
      conn.close();
      throw e;
    }
    if (conn.closed) throw new DaemonUnavailableError(this.socket, "the daemon closed the connection");
    // Only a subscribed connection's loss starts a resume, so there is never more than one.
    conn.onClose = () => void this.lost();
    this.conn = conn;
    this.cursor ??= { epoch: result.epoch, seq: result.seq };
    return result;
  }

  private push(e: Event): void {
    this.cursor = { epoch: e.epoch, seq: e.seq };
    this.emit("event", e);
    this.emit(e.kind, e);
    if (e.kind === "events.resyncRequired") this.emit("resync", e);
    const waiter = this.waiters.shift();
    if (waiter) return waiter(e);
    // Kept for the iterator, which may start later; a stream used only through listeners keeps
    // the newest QUEUE_LIMIT.
    this.queue.push(e);
    if (this.queue.length > QUEUE_LIMIT) this.queue.shift();
  }

  private async lost(): Promise<void> {
    this.conn = undefined;
    if (this.ended) return;
    if (this.options.resume === false) return this.end();
    this.emit("disconnected");
    let pause = 100;
    while (!this.ended) {
      const attempt = this.doSubscribe();
      this.subscribing = attempt;
      try {
        await attempt;
        if (this.ended) (this.conn as Connection | undefined)?.close();
        else this.emit("resumed");
        return;
      } catch {
        await sleep(pause);
        pause = Math.min(pause * 2, 2000);
      }
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w(undefined);
    this.emit("end");
  }

  /** The next event; rejects with {@link CallTimeoutError} after `timeoutMs`, resolves `undefined` when the stream ended. */
  async next(timeoutMs?: number): Promise<Event | undefined> {
    if (!this.started) await this.subscribe();
    // After subscribing too: a replay arrives before the answer to events.subscribe.
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.ended) return undefined;
    return new Promise((resolve, reject) => {
      const waiter = (e: Event | undefined) => {
        clearTimeout(timer);
        resolve(e);
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              const i = this.waiters.indexOf(waiter);
              if (i >= 0) this.waiters.splice(i, 1);
              reject(new CallTimeoutError(`no event within ${timeoutMs} ms`));
            }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The first event that matches `predicate`, skipping the others. */
  async waitFor<E extends Event = Event>(predicate: (e: Event) => e is E, timeoutMs?: number): Promise<E>;
  async waitFor(predicate: (e: Event) => boolean, timeoutMs?: number): Promise<Event>;
  async waitFor(predicate: (e: Event) => boolean, timeoutMs = 30_000): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await this.next(Math.max(0, deadline - Date.now()));
      if (!e) throw new CallTimeoutError("the event stream ended");
      if (predicate(e)) return e;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Event> {
    for (;;) {
      const e = await this.next();
      if (!e) return;
      yield e;
    }
  }

  /** Ends the stream and closes its connection. */
  close(): void {
    this.end();
    this.conn?.close();
  }
}
