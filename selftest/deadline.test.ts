/**
 * clients/deadline.ts: a deadline counts the time this process could listen. An answer that arrived
 * while the event loop was held is read, not called silent; a peer that never answers still expires
 * on time.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { deadline, deadlineSignal } from '../clients/deadline.js';

/** Holds the event loop, as loading a large library does (a CPU hold, not a wait). */
function holdEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: nothing else of this process runs
  }
}

function get(port: number, path: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, signal }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The peer, on a thread of its own (its own event loop), so that it answers while this thread is held:
 * `/answer` after 30 ms, `/silent` never.
 */
const PEER = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = createServer((req, res) => {
  if (req.url === '/silent') return;
  setTimeout(() => res.end('answer'), 30);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => { server.closeAllConnections(); server.close(); parentPort.close(); });
`;

void describe('deadlines (clients/deadline.ts)', () => {
  let peer: Worker;
  let port = 0;
  before(async () => {
    peer = new Worker(PEER, { eval: true });
    port = await new Promise<number>((done) => peer.once('message', done));
  });
  after(async () => {
    peer.postMessage('stop');
    await peer.terminate();
  });

  void it('reads an answer that arrived while the event loop was held past the deadline', async () => {
    const pending = get(port, '/answer', deadlineSignal(200));
    // The answer arrives after ~30 ms; this thread listens again only after 600 ms, past the 200 ms.
    // Held outside the timers phase (as a module load after a file read is): on the next turn the
    // timers run before the socket is read.
    await new Promise((done) => setTimeout(done, 5));
    await new Promise<void>((done) => setImmediate(() => {
      holdEventLoop(600);
      done();
    }));
    assert.equal(await pending, 'answer');
  });

  void it('still expires on time for a peer that never answers', async () => {
    const started = performance.now();
    await assert.rejects(get(port, '/silent', deadlineSignal(300)), (e: Error) => e.name === 'TimeoutError' || e.name === 'AbortError');
    const took = performance.now() - started;
    assert.ok(took >= 295 && took < 1000, `expired after ${took.toFixed(0)} ms`);
  });

  void it('gives a held peer at most the deadline again, and can be cancelled', async () => {
    let expired = 0;
    const started = performance.now();
    await new Promise<void>((done) => {
      deadline(100, () => {
        expired = performance.now() - started;
        done();
      });
      // late by 900 ms: extended by the deadline once more (100 ms), not by 900
      setImmediate(() => holdEventLoop(1000));
    });
    assert.ok(expired >= 1090 && expired < 1400, `expired ${expired.toFixed(0)} ms after it was set`);
    let called = false;
    const cancel = deadline(20, () => (called = true));
    cancel();
    await new Promise((done) => setTimeout(done, 60));
    assert.equal(called, false);
  });
});
