/** httpGet probes against a local server: status codes, and a redirect to another host passing with a warning (ProbeWarning). */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runHandler } from '../../../src/node/probes/prober.js';

describe('httpGet probe', () => {
  let srv: Server;
  let port = 0;
  before(async () => {
    srv = createServer((req, res) => {
      if (req.url === '/ok') return res.end('fine');
      if (req.url === '/bad') { res.statusCode = 500; return res.end('no'); }
      if (req.url === '/elsewhere') { res.writeHead(302, { Location: 'http://other.example:8080/login' }); return res.end('moved away'); }
      if (req.url === '/here') { res.writeHead(301, { Location: '/ok' }); return res.end(); }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
    port = (srv.address() as AddressInfo).port;
  });
  after(() => new Promise<void>(r => srv.close(() => r())));

  const probe = (path: string) => runHandler({ runtime: undefined as never, containerId: '', container: { name: 'c' }, podIP: '127.0.0.1' }, { httpGet: { port, path } }, 2000);

  it('2xx passes, 5xx fails with the status code', async () => {
    assert.deepEqual(await probe('/ok'), { ok: true, output: '' });
    assert.deepEqual(await probe('/bad'), { ok: false, output: 'HTTP probe failed with statuscode: 500' });
  });

  it('a redirect to another host passes with a warning carrying the body; one to the same host passes quietly', async () => {
    assert.deepEqual(await probe('/elsewhere'), { ok: true, output: '', warning: 'Probe terminated redirects, Response body: moved away' });
    assert.deepEqual(await probe('/here'), { ok: true, output: '' });
  });
});
