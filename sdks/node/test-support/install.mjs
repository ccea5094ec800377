// Installs the package into a throw-away project, the way a user would.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A temporary folder with a package.json, removed when the process ends. */
export function tempProject(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true }));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `npm install <spec>` in `dir`, offline: the package has no dependencies to fetch. */
export function npmInstall(dir, spec) {
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', spec], {
    cwd: dir,
    stdio: 'pipe',
  });
}

/** Runs `file` with node in `dir`; resolves to its stdout, rejects with its stderr. */
export function runNode(dir, file, env = {}) {
  return execFileSync(process.execPath, [file], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 60_000,
  });
}
