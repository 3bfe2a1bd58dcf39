// Errors of the client. Every error the daemon answers with is an RpcError (or the subclass
// generated for its code, e.g. ThreadClosedError) carrying code, message and data as sent.

/** `error.data` of every daemon error: always `kind` and `retryable`, sometimes more. */
export interface RpcErrorData {
  kind?: string;
  retryable?: boolean;
  field?: string | null;
  detail?: string | null;
  [key: string]: unknown;
}

/** Base class of every error thrown by this package. */
export class CxoneChatError extends Error {
  override name = this.constructor.name;
}

/** Nothing listens at the socket, or the daemon closed the connection. */
export class DaemonUnavailableError extends CxoneChatError {
  constructor(
    readonly socket: string,
    readonly detail: string,
  ) {
    super(
      `daemon not running at ${socket} (${detail}); start it with \`cxone-chatd --socket ${socket}\` ` +
        "(or `cxone-chatd --sandbox` to try it without a CXone account)",
    );
  }
}

/** No answer (or no awaited event) in time. */
export class CallTimeoutError extends CxoneChatError {}

/** The daemon answered a call with a JSON-RPC error. */
export class RpcError extends CxoneChatError {
  constructor(
    /** The JSON-RPC error code (see `components.errors` of the OpenRPC document). */
    readonly code: number,
    /** The daemon's message, which says what to do. */
    readonly rpcMessage: string,
    /** The error's `data` object. */
    readonly data: RpcErrorData,
    /** The method that failed. */
    readonly method: string,
  ) {
    let text = `${method} failed: ${rpcMessage} [${data.kind ?? "error"} ${code}]`;
    if (data.field) text += `; field: ${data.field}`;
    if (data.detail) text += `; ${data.detail}`;
    super(text);
  }

  /** The error's stable name (`data.kind`), e.g. `threadClosed`. */
  get kind(): string {
    return this.data.kind ?? "error";
  }

  /** Whether repeating the same call later may succeed. */
  get retryable(): boolean {
    return this.data.retryable === true;
  }

  /** The parameter at fault, when the daemon named one. */
  get field(): string | undefined {
    return typeof this.data.field === "string" ? this.data.field : undefined;
  }
}
