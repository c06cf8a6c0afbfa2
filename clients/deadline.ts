/**
 * Deadlines that measure the peer, not this process: `SMOKE_TIMEOUT` is how long the suite waits for
 * an answer, and an answer that arrived while this process's event loop was held (loading a large
 * library, a long garbage collection, a busy CI runner) has not been waited for yet. A plain timer
 * fires first after such a stall, before the socket is read, and a healthy peer is called silent.
 *
 * So a deadline that fires late by more than a few milliseconds is extended by the time it was late
 * (the peer gets the time this process could not listen, to send, read or answer; at most `ms` more in
 * all), and an expiry always gives the event loop one turn to read what already arrived
 * (`setImmediate` runs after the poll phase). On time, it behaves as `setTimeout`.
 *
 * @example
 * const cancel = deadline(config.timeoutMs, () => socket.destroy(new Error('no answer')));
 * const signal = deadlineSignal(config.timeoutMs); // an AbortSignal, as AbortSignal.timeout
 *
 * @module
 */

/** Lateness below this is the timer's own jitter, not a stall. */
const STALL_MS = 25;

/** Calls `expire` once `ms` have passed in which this process could listen; returns a cancel. */
export function deadline(ms: number, expire: () => void): () => void {
  let due = performance.now() + ms;
  let extended = 0;
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  const fire = (): void => {
    const late = performance.now() - due;
    const extension = Math.min(late, ms - extended);
    if (late > STALL_MS && extension > STALL_MS) {
      extended += extension;
      due = performance.now() + extension;
      timer = setTimeout(fire, extension).unref();
      return;
    }
    turn = setImmediate(expire);
  };
  timer = setTimeout(fire, ms).unref();
  return () => {
    clearTimeout(timer);
    if (turn) clearImmediate(turn);
  };
}

/** An AbortSignal that aborts with a `TimeoutError` at the {@link deadline} (as `AbortSignal.timeout`). */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  deadline(ms, () => controller.abort(new DOMException(`no answer within ${ms}ms`, 'TimeoutError')));
  return controller.signal;
}
