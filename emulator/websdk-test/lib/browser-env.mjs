// The browser globals the CXone web SDK touches, made out of Node 20 parts.
//
// The SDK is a browser bundle (its README asks for an ES2022 browser). Node 20 has `fetch`,
// `EventTarget`, `CustomEvent`, `URL`, `File`, `Blob`, `crypto.randomUUID` and `Intl`, but not
// the globals below; each shim is as small as the SDK's use of it (see
// shared/cxone/WEB-SDK-TRACES.md §3 for where each is used):
//
// * `self`              the UMD wrapper reads it at load time;
// * `window`            `window.setTimeout` for socket timers, `addEventListener('beforeunload')`
//                       in its fetch helper, `window.location.protocol` for string socket URLs;
// * `navigator`         `language` (locale of the channel request), `userAgent` (browser
//                       fingerprint in SendMessage), `onLine` (error details);
// * `WebSocket`         the `ws` package, with one browser behaviour copied: an exception thrown
//                       by a listener is reported and swallowed, never lost with the rest of a
//                       TCP chunk (a browser logs it to the console);
// * `CloseEvent`, `ErrorEvent`  constructed by the SDK on timeouts and closes and used in
//                       `instanceof` checks, which must also recognise `ws`'s own event objects;
// * `FileReader`        `readAsDataURL` for `thread.sendAttachments(File[])`.
//
// Two guards keep the test honest: nothing here can reach beyond the loopback interface
// (WebSocket and fetch refuse other hosts, so a misconfigured test can never talk to a real
// CXone tenant), and every frame crossing the socket is published on `wire` so the tests can wait
// for specific frames instead of sleeping.

import { EventEmitter } from 'node:events';
import NodeWebSocket from 'ws';

/** Every frame the SDK sends or receives: `sent` / `received` (text), `open`, `close`, `listenerError`. */
export const wire = new EventEmitter();
wire.setMaxListeners(0);

/** Exceptions thrown inside the SDK's socket listeners (a browser would log them). */
export const listenerErrors = [];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function assertLoopback(url, what) {
  const host = new URL(String(url)).hostname;
  if (!LOOPBACK.has(host)) {
    throw new Error(`${what} to ${url} refused: this test talks to the local emulator only`);
  }
}

class BrowserLikeWebSocket extends NodeWebSocket {
  // type → (SDK listener → the wrapper registered with `ws`), so removal finds the wrapper.
  #wrappers = new Map();

  constructor(url, protocols) {
    assertLoopback(url, 'WebSocket');
    super(url, protocols);
    wire.emit('connecting', String(url));
    // Registered before any SDK listener, so `wire` sees a frame before the SDK handles it.
    this.on('open', () => wire.emit('open', String(url)));
    this.on('message', (data, isBinary) => {
      if (!isBinary) wire.emit('received', data.toString());
    });
    this.on('close', (code, reason) => wire.emit('close', code, reason.toString()));
  }

  send(data, ...rest) {
    wire.emit('sent', String(data));
    super.send(data, ...rest);
  }

  addEventListener(type, listener, options) {
    let byListener = this.#wrappers.get(type);
    if (!byListener) this.#wrappers.set(type, (byListener = new Map()));
    if (byListener.has(listener)) return;
    const wrapper = function browserLikeListener(event) {
      try {
        if (typeof listener === 'function') listener.call(this, event);
        else listener.handleEvent(event);
      } catch (error) {
        listenerErrors.push(error);
        wire.emit('listenerError', error);
      }
    };
    byListener.set(listener, wrapper);
    super.addEventListener(type, wrapper, options);
  }

  removeEventListener(type, listener) {
    const byListener = this.#wrappers.get(type);
    const wrapper = byListener?.get(listener);
    if (!wrapper) return;
    byListener.delete(listener);
    super.removeEventListener(type, wrapper);
  }
}

/** `instanceof` that also accepts an event object of the same kind made by `ws`. */
function eventClass(name, isKind, fields) {
  const cls = class extends Event {
    constructor(type, init = {}) {
      super(type);
      for (const [k, v] of Object.entries(fields)) this[k] = init[k] ?? v;
    }

    static [Symbol.hasInstance](obj) {
      return Function.prototype[Symbol.hasInstance].call(this, obj) || (obj != null && isKind(obj));
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

const CloseEventShim = eventClass(
  'CloseEvent',
  (e) => e.type === 'close' && 'code' in e && 'reason' in e,
  { code: 0, reason: '', wasClean: false },
);
const ErrorEventShim = eventClass(
  'ErrorEvent',
  (e) => e.type === 'error' && 'message' in e && 'error' in e,
  { message: '', error: null },
);

class FileReaderShim {
  result = null;
  error = null;
  onload = null;
  onloadend = null;
  onerror = null;

  readAsDataURL(blob) {
    blob.arrayBuffer().then(
      (buffer) => {
        const type = blob.type || 'application/octet-stream';
        this.result = `data:${type};base64,${Buffer.from(buffer).toString('base64')}`;
        this.onload?.({ target: this });
        this.onloadend?.({ target: this });
      },
      (error) => {
        this.error = error;
        this.onerror?.({ target: this });
        this.onloadend?.({ target: this });
      },
    );
  }
}

function define(name, value) {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true });
}

let installed = false;

/** Installs the shims; must run before the SDK bundle is loaded. */
export function installBrowserEnv() {
  if (installed) return;
  installed = true;

  const windowEvents = new EventTarget();
  define('self', globalThis);
  define('window', globalThis);
  define('addEventListener', windowEvents.addEventListener.bind(windowEvents));
  define('removeEventListener', windowEvents.removeEventListener.bind(windowEvents));
  define('dispatchEvent', windowEvents.dispatchEvent.bind(windowEvents));
  // A page served over https when the check runs over TLS (`npm run test:tls`), as a real
  // deployment's would be: the SDK then has no plain-http origin to fall back on.
  const scheme = process.env.CXONE_EMULATOR_TLS_DIR ? 'https' : 'http';
  define('location', { protocol: `${scheme}:`, host: '127.0.0.1', href: `${scheme}://127.0.0.1/` });
  define('navigator', {
    language: 'en-US',
    languages: ['en-US', 'en'],
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    onLine: true,
  });
  define('WebSocket', BrowserLikeWebSocket);
  define('CloseEvent', CloseEventShim);
  define('ErrorEvent', ErrorEventShim);
  define('FileReader', FileReaderShim);

  const nodeFetch = globalThis.fetch;
  define('fetch', (resource, init) => {
    assertLoopback(resource instanceof Request ? resource.url : resource, 'fetch');
    return nodeFetch(resource, init);
  });
}
