// `npm run test:tls`: the whole web SDK check again, over HTTPS and WSS.
//
// Node reads NODE_EXTRA_CA_CERTS only when it starts, and each test file runs in its own Node
// process that starts its own emulator. So the certificate must exist before any of them:
// this script has the emulator make it once in a temporary directory (`--tls-cert-dir`), then
// runs the test files with NODE_EXTRA_CA_CERTS naming it and CXONE_EMULATOR_TLS_DIR telling
// lib/emulator.mjs to serve that same certificate. Nothing else is trusted, and nothing
// disables verification: a TLS mistake fails the check.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { emulatorBinary } from '../lib/emulator.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'websdk-tls-'));
try {
  // One start makes and writes the certificate; it stops once it printed its address.
  const emulator = spawn(emulatorBinary(), ['--listen', '127.0.0.1:0', '--tls', '--tls-cert-dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: emulator.stdout }).once('line', resolve);
    emulator.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening`)));
  });
  emulator.kill('SIGINT');
  if (!line.startsWith('listening on https://')) throw new Error(`unexpected first line: ${line}`);

  const tests = readdirSync(path.join(here, '..', 'test'))
    .filter((f) => f.endsWith('.test.mjs'))
    .map((f) => path.join('test', f));
  const run = spawnSync(
    process.execPath,
    ['--test', '--test-force-exit', '--test-reporter=spec', ...tests],
    {
      cwd: path.join(here, '..'),
      stdio: 'inherit',
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'),
        CXONE_EMULATOR_TLS_DIR: dir,
      },
    },
  );
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
