// Starts the real `cxone-emulator` binary built by cargo and talks to its admin API.
//
// The binary is `$CXONE_EMULATOR_BIN` when set (.ci/run sets it to the path cargo reports),
// else `$CARGO_TARGET_DIR/debug/cxone-emulator`, else `<repo>/target/debug/cxone-emulator`.
// Its contract (emulator/README.md): the first line on stdout is
// `listening on http://127.0.0.1:PORT`, and SIGINT stops it with status 0.
//
// With `$CXONE_EMULATOR_TLS_DIR` set (`npm run test:tls`, see scripts/test-tls.mjs), the emulator
// serves HTTPS and WSS with the certificate kept in that directory, which Node trusts through
// `NODE_EXTRA_CA_CERTS`: the SDK then talks https:// and wss:// only.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

export function emulatorBinary() {
  const exe = process.platform === 'win32' ? 'cxone-emulator.exe' : 'cxone-emulator';
  const bin =
    process.env.CXONE_EMULATOR_BIN ||
    path.join(process.env.CARGO_TARGET_DIR || path.join(repoRoot, 'target'), 'debug', exe);
  if (!existsSync(bin)) {
    throw new Error(
      `emulator binary not found at ${bin}; build it first (cargo build -p cxone-emulator) ` +
        'or point CXONE_EMULATOR_BIN at it',
    );
  }
  return bin;
}

// Emulators still running; killed if this process exits or is signalled before stop() ran (a
// test runner stopped by a timeout signals its test processes, and would otherwise orphan them).
const running = new Set();
let cleanupInstalled = false;
function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ]) {
    process.once(signal, () => {
      killAll();
      process.exit(128 + number);
    });
  }
}

/** Starts the emulator on 127.0.0.1 with a free port; resolves once it printed its address. */
export async function startEmulator({ startTimeoutMs = 15_000 } = {}) {
  const bin = emulatorBinary();
  const tlsDir = process.env.CXONE_EMULATOR_TLS_DIR;
  const args = ['--listen', '127.0.0.1:0'];
  if (tlsDir) args.push('--tls', '--tls-cert-dir', tlsDir);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  installCleanup();
  running.add(child);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('error', reject);
    exited.then(({ code, signal }) =>
      reject(new Error(`emulator exited early (code ${code}, signal ${signal}): ${stderr}`)),
    );
  });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`emulator printed no address within ${startTimeoutMs} ms: ${stderr}`)),
      startTimeoutMs,
    );
  });
  let line;
  try {
    line = await Promise.race([firstLine, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const match = /^listening on (https?:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
  if (!match) {
    child.kill('SIGKILL');
    throw new Error(`unexpected first line from the emulator: ${JSON.stringify(line)}`);
  }
  const baseUrl = match[1];
  if (tlsDir && !baseUrl.startsWith('https:')) {
    child.kill('SIGKILL');
    throw new Error(`CXONE_EMULATOR_TLS_DIR is set but the emulator serves ${baseUrl}`);
  }

  async function admin(method, route, body) {
    const response = await fetch(`${baseUrl}/admin/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /admin/${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  return {
    baseUrl,
    port: Number(match[2]),
    /** The gateway URL (any path works; the SDK replaces the query). */
    wsUrl: `${tlsDir ? 'wss' : 'ws'}://127.0.0.1:${match[2]}/`,
    pid: child.pid,
    admin,
    /** `GET /admin/received` with optional `transport`, `kind` and `since` filters. */
    received(query = {}) {
      const qs = new URLSearchParams(query).toString();
      return admin('GET', `received${qs ? `?${qs}` : ''}`);
    },
    /** Stops the emulator with SIGINT (its Ctrl-C) and returns its exit status; SIGKILL after 5 s. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGINT');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      const status = await exited;
      clearTimeout(killTimer);
      return status;
    },
  };
}
