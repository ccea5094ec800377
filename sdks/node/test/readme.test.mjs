import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';

import { client, env, SPARE } from '../test-support/live.mjs';
import { npmInstall, PACKAGE_DIR, runNode, tempProject } from '../test-support/install.mjs';

// ```js blocks are complete programs, run here; ```javascript blocks are fragments that
// cannot run to an end (a server), only checked to parse.
const readme = fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8');
const blocks = [];
let heading = '';
for (const match of readme.matchAll(/^(#{1,4} .+)$|^```(\w+)\n([\s\S]*?)^```$/gm)) {
  if (match[1]) heading = match[1].replace(/^#+ /, '');
  else blocks.push({ heading, lang: match[2], code: match[3] });
}
const runnable = blocks.filter((block) => block.lang === 'js');
const GUIDE_EXAMPLES = ['Python Integration', 'JavaScript Integration', 'Automated Incident Creation', 'Bulk Monitor Management'];

// The README's own words: `npm install ./sdks/node` from a clone (here, its absolute path).
let project;
before(() => {
  project = tempProject('statusapp-readme-');
  npmInstall(project, PACKAGE_DIR);
});

// An organization of its own, so what the examples make can be checked exactly.
const world = { STATUSAPP_API_KEY: env.spareKeys[SPARE.readme], STATUSAPP_BASE_URL: env.baseUrl };

test("the README rewrites each of the API guide's integration examples as a runnable block", () => {
  for (const example of GUIDE_EXAMPLES) {
    assert.ok(runnable.some((block) => block.heading === example), `no \`\`\`js block under "${example}"`);
  }
  for (const block of runnable) {
    const code = block.code;
    if (/\brequire\(/.test(code)) continue;
    assert.match(code, /from '@statusapp\/sdk'/, `${block.heading}: imports the package`);
    assert.doesNotMatch(code, /sk_live_|127\.0\.0\.1/, `${block.heading}: key and URL come from the environment`);
  }
});

test("every ```js block of the README runs against the live server", () => {
  runnable.forEach((block, index) => {
    const file = `example-${index}.${/\brequire\(/.test(block.code) ? 'cjs' : 'mjs'}`;
    fs.writeFileSync(path.join(project, file), block.code);
    try {
      runNode(project, file, world);
    } catch (error) {
      assert.fail(`README example under "${block.heading}" failed:\n${block.code}\n${error.stderr || error.message}`);
    }
  });
});

test('the examples did what they say', async () => {
  const api = client({ apiKey: world.STATUSAPP_API_KEY });
  const monitors = [];
  for await (const monitor of api.monitors.iterate()) monitors.push(monitor);
  assert.deepEqual(monitors.map((monitor) => monitor.name).sort(), [
    'Monitor for https://api1.example.com',
    'Monitor for https://api2.example.com',
    'Website Check',
  ]);
  assert.ok(monitors.every((monitor) => monitor.status === 'PENDING')); // paused, then resumed

  const incidents = [];
  for await (const incident of api.incidents.iterate()) incidents.push(incident);
  assert.deepEqual(incidents.map((incident) => `${incident.title}: ${incident.status}`).sort(), [
    'External Alert: RESOLVED',
    'Service Degradation: INVESTIGATING',
  ]);
  assert.deepEqual((await api.webhooks.list()).data, []); // the webhook example cleans up
});

test('```javascript fragments parse', () => {
  const fragments = blocks.filter((block) => block.lang === 'javascript');
  assert.ok(fragments.length >= 1);
  fragments.forEach((block, index) => {
    const file = path.join(project, `fragment-${index}.mjs`);
    fs.writeFileSync(file, block.code);
    execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
  });
});
