// The real binaries for the tests: the emulator on a free loopback port and the daemon on a
// temporary socket. Paths come from $CXONE_CHATD_BIN and $CXONE_EMULATOR_BIN (.ci/run sets them
// from cargo metadata), else from $CARGO_TARGET_DIR or the workspace's target/debug
// (`cargo build -p cxone-chatd -p cxone-emulator` first).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** clients/node (the tests run from dist/test). */
export const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REPO = resolve(PACKAGE, "..", "..");

export function binary(env: string, name: string): string {
  const path = process.env[env] || join(process.env.CARGO_TARGET_DIR || join(REPO, "target"), "debug", name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`cargo build -p cxone-chatd -p cxone-emulator\` or set ${env}`);
  }
  return path;
}

export class Emulator {
  private constructor(
    private readonly proc: ChildProcess,
    readonly base: string,
  ) {}

  static async start(): Promise<Emulator> {
    const proc = spawn(binary("CXONE_EMULATOR_BIN", "cxone-emulator"), ["--listen", "127.0.0.1:0"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const lines = createInterface({ input: proc.stdout! });
    const first: string = await new Promise((resolve, reject) => {
      lines.once("line", resolve);
      proc.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
    });
    if (!first.startsWith("listening on ")) throw new Error(`unexpected first line ${first}`);
    return new Emulator(proc, first.slice("listening on ".length));
  }

  /** The `environment` param of `session.prepare` for this emulator. */
  environment(): { chatUrl: string; socketUrl: string } {
    return { chatUrl: `${this.base}/chat`, socketUrl: this.base.replace("http://", "ws://") + "/" };
  }

  stop(): void {
    this.proc.kill("SIGKILL");
  }
}

export class Daemon {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "cxn-"));
  readonly socket = join(this.dir, "rpc.sock");

  static async start(): Promise<Daemon> {
    const d = new Daemon();
    await d.start();
    return d;
  }

  async start(): Promise<void> {
    this.proc = spawn(
      binary("CXONE_CHATD_BIN", "cxone-chatd"),
      ["--socket", this.socket, "--state-dir", join(this.dir, "state")],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.createConnection({ path: this.socket });
        s.once("connect", () => {
          s.destroy();
          resolve(true);
        });
        s.once("error", () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error("the daemon did not start");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
