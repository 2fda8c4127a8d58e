import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/run-cli.js';
import { useStrictNock } from '../../test/helpers/strict-nock.js';

const KEY = 'fedcba9876543210fedcba9876543210-us7';
const LIST = 'f00dfeed12';

useStrictNock();

describe('affinity-sync connectors test mailchimp', () => {
  it('checks the key, the server from its suffix and the audience', async () => {
    const auth = `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`;
    nock('https://us7.api.mailchimp.com').matchHeader('authorization', auth).get('/3.0/ping').reply(200, { health_status: "Everything's Chimpy!" });
    nock('https://us7.api.mailchimp.com')
      .matchHeader('authorization', auth)
      .get(`/3.0/lists/${LIST}`)
      .query({ fields: 'id,name,stats.member_count' })
      .reply(200, { id: LIST, name: 'Shop newsletter', stats: { member_count: 42 } });
    const result = await runCli(['connectors', 'test', 'mailchimp', '--audience', LIST], { env: { MAILCHIMP_API_KEY: KEY } });
    expect(result).toEqual({ code: 0, stdout: `ok  mailchimp: key accepted on server us7; audience ${LIST} "Shop newsletter" has 42 members\n`, stderr: '' });
  });

  it('exits 2 with a clear message for a key without a data centre, and sends nothing', async () => {
    const result = await runCli(['connectors', 'test', 'mailchimp', '--audience', LIST], { env: { MAILCHIMP_API_KEY: 'fedcba9876543210fedcba9876543210' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: MAILCHIMP_API_KEY: expected a key ending in its data centre, like "…-us21"; copy the whole key from Mailchimp\n');
  });

  it('exits 2 when Mailchimp rejects the key', async () => {
    nock('https://us7.api.mailchimp.com')
      .get('/3.0/ping')
      .reply(401, { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title: 'API Key Invalid', status: 401, detail: 'Your API key may be invalid, or you\'ve attempted to access the wrong datacenter.', instance: 'x' }, {
        'Content-Type': 'application/problem+json; charset=utf-8',
      });
    const result = await runCli(['connectors', 'test', 'mailchimp', '--audience', LIST], { env: { MAILCHIMP_API_KEY: KEY } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: Mailchimp ping: 401 API Key Invalid (check MAILCHIMP_API_KEY and its data-centre suffix)\n');
  });

  it('exits 1 when Mailchimp cannot be reached (a failed run, not bad input)', async () => {
    nock('https://us7.api.mailchimp.com').get('/3.0/ping').replyWithError(Object.assign(new Error('connect ECONNREFUSED 23.45.67.89:443'), { code: 'ECONNREFUSED' }));
    const result = await runCli(['connectors', 'test', 'mailchimp', '--audience', LIST], { env: { MAILCHIMP_API_KEY: KEY } });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: Mailchimp ping: cannot reach 23.45.67.89:443 (ECONNREFUSED): the network, a proxy or Mailchimp is down. A network problem, not a credential one: retrying may help (the queue retries the run)\n',
    });
  });

  it('lists the connectors with their modes', async () => {
    const result = await runCli(['connectors', 'list'], { env: {} });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('file       modes: mirror; 1000 per call, 1 at once\n');
    expect(result.stdout).toContain('mailchimp  modes: additive, mirror; 500 per call, 9 at once\n');
  });
});
