import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

import * as esm from '../index.mjs';
import { env, SPARE } from '../test-support/live.mjs';
import { npmInstall, PACKAGE_DIR, runNode, tempProject } from '../test-support/install.mjs';

const cjs = createRequire(import.meta.url)('../src/index.js');
const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));

test('package.json: name, version, both entry points and types, no dependencies', () => {
  assert.equal(manifest.name, '@statusapp/sdk');
  assert.equal(manifest.version, '0.1.0');
  assert.equal(manifest.engines.node, '>=18');
  assert.equal(manifest.dependencies, undefined);
  assert.equal(manifest.exports['.'].import.default, './index.mjs');
  assert.equal(manifest.exports['.'].require.default, './src/index.js');
  assert.equal(manifest.types, './index.d.ts');
  assert.equal(esm.version, manifest.version);
});

test('the ES module and CommonJS entries export the same objects', () => {
  const names = Object.keys(cjs).filter((name) => name !== 'default').sort();
  assert.deepEqual(Object.keys(esm).filter((name) => name !== 'default').sort(), names);
  for (const name of names) assert.equal(esm[name], cjs[name], name);
  assert.equal(esm.default, esm.StatusApp);
});

test('npm pack ships the sources, entry points, types and README, not the tests', () => {
  const out = tempProject('statusapp-pack-');
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: PACKAGE_DIR, encoding: 'utf8' }));
  const files = packed.files.map((file) => file.path).sort();
  for (const file of ['index.mjs', 'index.d.ts', 'index.d.mts', 'package.json', 'README.md', 'src/index.js', 'src/client.js', 'src/signatures.js']) {
    assert.ok(files.includes(file), `${file} is missing from the package`);
  }
  assert.deepEqual(files.filter((file) => /^test|node_modules/.test(file)), []);
});

const CJS_SCRIPT = `
const sdk = require('@statusapp/sdk');
const client = new sdk.StatusApp();
client.monitors.list().then(async (page) => {
  const error = await client.monitors.get('mon_missing000000000000').catch((e) => e);
  console.log(JSON.stringify({
    total: page.pagination.total,
    notFound: error instanceof sdk.NotFoundError && error instanceof sdk.APIError,
    verify: typeof sdk.verifySignature, webhook: typeof sdk.Webhook,
    main: require.resolve('@statusapp/sdk'),
  }));
});
`;
const ESM_SCRIPT = `
import StatusApp, { NotFoundError, APIError, verifySignature, Webhook } from '@statusapp/sdk';
import { createRequire } from 'node:module';
const client = new StatusApp();
const page = await client.monitors.list();
const error = await client.monitors.get('mon_missing000000000000').catch((e) => e);
// An error thrown through one entry is an instance of the other's classes.
const viaRequire = createRequire(import.meta.url)('@statusapp/sdk');
console.log(JSON.stringify({
  total: page.pagination.total,
  notFound: error instanceof NotFoundError && error instanceof APIError && error instanceof viaRequire.NotFoundError,
  verify: typeof verifySignature, webhook: typeof Webhook,
  main: import.meta.resolve('@statusapp/sdk'),
}));
`;

test('require() and import of the packed package both work against the live server', () => {
  const packDir = tempProject('statusapp-pack-');
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: PACKAGE_DIR, encoding: 'utf8' }));
  const project = tempProject('statusapp-user-');
  npmInstall(project, path.join(packDir, packed.filename));
  assert.ok(!fs.lstatSync(path.join(project, 'node_modules/@statusapp/sdk')).isSymbolicLink()); // a copy, from the tarball

  fs.writeFileSync(path.join(project, 'script.cjs'), CJS_SCRIPT);
  fs.writeFileSync(path.join(project, 'script.mjs'), ESM_SCRIPT);
  // A spare organization: no monitors, whatever the other tests do meanwhile.
  const world = { STATUSAPP_API_KEY: env.spareKeys[SPARE.package], STATUSAPP_BASE_URL: env.baseUrl };
  const fromCjs = JSON.parse(runNode(project, 'script.cjs', world));
  const fromEsm = JSON.parse(runNode(project, 'script.mjs', world));

  for (const result of [fromCjs, fromEsm]) {
    assert.equal(result.total, 0);
    assert.equal(result.notFound, true);
    assert.equal(result.verify, 'function');
    assert.equal(result.webhook, 'function');
  }
  assert.match(fromCjs.main, /node_modules\/@statusapp\/sdk\/src\/index\.js$/);
  assert.match(fromEsm.main, /node_modules\/@statusapp\/sdk\/index\.mjs$/);
});

/** `export class Name ... { body }` blocks of the declarations: name -> member lines. */
function declaredClasses(source) {
  const classes = new Map();
  for (const match of source.matchAll(/^export class (\w+)[^{\n]*\{(?:\}$|\n([\s\S]*?)^\})/gm)) {
    classes.set(match[1], match[2] ?? '');
  }
  return classes;
}

function declaredMethods(body) {
  return new Set([...body.matchAll(/^ {2}(\w+)(?:<[^>]*>)?\(/gm)].map((match) => match[1]));
}

test('index.d.ts declares every export, resource and method the package has, and nothing it lacks', () => {
  const source = fs.readFileSync(path.join(PACKAGE_DIR, 'index.d.ts'), 'utf8');
  const classes = declaredClasses(source);

  for (const [name, value] of Object.entries(cjs)) {
    if (name === 'default') continue;
    if (typeof value === 'function' && /^class /.test(value.toString())) {
      assert.ok(classes.has(name), `export class ${name} is not declared`);
    } else if (typeof value === 'function') {
      assert.match(source, new RegExp(`^export function ${name}\\(`, 'm'), `function ${name}`);
    } else {
      assert.match(source, new RegExp(`^export const ${name}:`, 'm'), `const ${name}`);
    }
  }
  assert.match(source, /^export default StatusApp;$/m);

  const client = new cjs.StatusApp({ apiKey: 'sk_live_types' });
  const clientBody = classes.get('StatusApp');
  const resourceNames = Object.keys(client).filter((key) => typeof client[key] === 'object' && client[key]?._client);
  assert.deepEqual(resourceNames.sort(), ['alertChannels', 'apiKeys', 'events', 'incidents', 'maintenances', 'monitors', 'statusPages', 'webhooks']);
  for (const property of resourceNames) {
    const className = client[property].constructor.name;
    assert.match(clientBody, new RegExp(`readonly ${property}: ${className};`), `StatusApp.${property}`);
    assert.ok(classes.has(className), `class ${className}`);
    const runtime = Object.getOwnPropertyNames(Object.getPrototypeOf(client[property])).filter((m) => m !== 'constructor');
    assert.deepEqual([...declaredMethods(classes.get(className))].sort(), runtime.sort(), className);
  }
  assert.ok(declaredMethods(clientBody).has('request'));
  assert.ok(declaredMethods(classes.get('Webhook')).has('verify'));
  for (const model of ['Monitor', 'Incident', 'IncidentDetail', 'IncidentUpdate', 'StatusPage', 'Subscriber', 'WebhookEndpoint', 'Delivery', 'AlertChannel', 'AlertDelivery', 'Maintenance', 'ApiKey', 'CreatedApiKey', 'Event', 'MonitorUptime', 'CheckResult']) {
    assert.match(source, new RegExp(`^export interface ${model} `, 'm'), `interface ${model}`);
  }
  assert.match(source, /^export interface Page<T> \{/m);

  const esmTypes = fs.readFileSync(path.join(PACKAGE_DIR, 'index.d.mts'), 'utf8');
  assert.match(esmTypes, /export \* from '\.\/index\.js';/);
  assert.match(esmTypes, /export default StatusApp;/);
});
