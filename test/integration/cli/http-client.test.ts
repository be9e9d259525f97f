import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../../../cli/http-client';

describe('send', () => {
  let server: Server;
  let url: URL;

  beforeAll(async () => {
    // Answers at once, then trickles a byte every 20 ms and never ends: never idle, never done.
    server = createServer((_req, res) => {
      res.writeHead(200);
      const trickle = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(trickle));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('bounds the whole exchange, not only the idle time between bytes', async () => {
    // Prepare
    const stillWaiting = new Promise<string>((resolve) => {
      setTimeout(() => resolve('still waiting'), 2000).unref();
    });

    // Act
    const outcome = await Promise.race([
      send(url, 'POST', {}, Buffer.from('{}'), 200).then(
        () => 'answered',
        (error: Error) => error.message,
      ),
      stillWaiting,
    ]);

    // Assess
    expect(outcome).toBe('no complete response within 0.2 s');
  });
});
