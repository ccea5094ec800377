import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NotFoundError } from '../index.mjs';
import { client, uniqueName } from '../test-support/live.mjs';

const api = client();

test('a status page round-trips with its subscribers and a domain check', async () => {
  const monitor = await api.monitors.create({ name: uniqueName('SDK page component'), type: 'http', url: 'https://example.com' });
  const name = uniqueName('SDK page');
  try {
    const page = await api.statusPages.create({ name, description: 'Our services', components: [monitor.id] });
    assert.match(page.id, /^sp_/);
    assert.deepEqual(page.components, [monitor.id]);
    assert.match(page.url, /\/status\//);

    assert.deepEqual(await api.statusPages.get(page.id), page);
    assert.deepEqual((await api.statusPages.list({ search: name })).data.map((item) => item.id), [page.id]);
    const iterated = [];
    for await (const item of api.statusPages.iterate({ search: name })) iterated.push(item.id);
    assert.deepEqual(iterated, [page.id]);

    const changed = await api.statusPages.update(page.id, { name: `${name} (new)`, description: 'Updated description' });
    assert.equal(changed.name, `${name} (new)`);
    assert.equal(changed.description, 'Updated description');
    assert.deepEqual(changed.components, [monitor.id]);

    const check = await api.statusPages.verifyDomain(page.id);
    assert.deepEqual(check, {
      customDomain: null,
      customDomainVerified: false,
      verifiedBy: null,
      message: 'This page has no custom domain.',
    });

    const subscriber = await api.statusPages.addSubscriber(page.id, { email: 'cto@example.com', confirmed: true });
    assert.match(subscriber.id, /^sub_/);
    assert.equal(subscriber.confirmed, true);
    assert.deepEqual(await api.statusPages.getSubscriber(page.id, subscriber.id), subscriber);
    const subscribers = await api.statusPages.listSubscribers(page.id, { limit: 10 });
    assert.deepEqual(subscribers.data.map((item) => item.email), ['cto@example.com']);
    assert.equal(subscribers.pagination.limit, 10);

    assert.equal(await api.statusPages.removeSubscriber(page.id, subscriber.id), undefined);
    assert.equal((await api.statusPages.listSubscribers(page.id)).data.length, 0);

    await api.statusPages.delete(page.id);
    await assert.rejects(api.statusPages.get(page.id), NotFoundError);
  } finally {
    await api.monitors.delete(monitor.id);
  }
});
