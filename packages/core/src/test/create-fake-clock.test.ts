import { describe, expect, test } from 'vitest';
import { createFakeClock } from './create-fake-clock.js';

describe('createFakeClock', () => {
  test('time only moves when advanced', async () => {
    const clock = createFakeClock({ startMs: 1_000 });
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
    await clock.advanceTo(1_100);
    expect(clock.now()).toBe(1_250);
  });

  test('fires sleeps in due order, ties in scheduling order, at their due instant', async () => {
    const clock = createFakeClock({ startMs: 0 });
    const fired: string[] = [];
    const track = (label: string, ms: number) =>
      clock.sleep(ms).then(() => {
        fired.push(`${label}@${clock.now()}`);
      });
    void track('c', 300);
    void track('a', 100);
    void track('b1', 200);
    void track('b2', 200);
    void track('late', 1_000);
    await clock.advance(500);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
    expect(clock.now()).toBe(500);
    expect(clock.pendingTimerCount).toBe(1);
    expect(clock.nextTimerAtMs()).toBe(1_000);
  });

  test('sleeps scheduled by woken code fire within the same advance when due', async () => {
    const clock = createFakeClock();
    const instants: number[] = [];
    const loop = async () => {
      for (let round = 0; round < 5; round++) {
        await clock.sleep(100);
        instants.push(clock.now());
      }
    };
    const done = loop();
    await clock.advance(350);
    expect(instants).toEqual([100, 200, 300]);
    await clock.advance(1_000);
    await done;
    expect(instants).toEqual([100, 200, 300, 400, 500]);
  });

  test('microtasks run between timers: a chain of awaits after one sleep completes before the next fires', async () => {
    const clock = createFakeClock();
    const events: string[] = [];
    void (async () => {
      await clock.sleep(10);
      for (let step = 0; step < 20; step++) await Promise.resolve();
      events.push(`first finished at ${clock.now()}`);
    })();
    void clock.sleep(20).then(() => events.push(`second at ${clock.now()}`));
    await clock.advance(20);
    expect(events).toEqual(['first finished at 10', 'second at 20']);
  });

  test('an aborted sleep rejects with the reason and never fires', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(100, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimerCount).toBe(0);
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    await expect(clock.sleep(5, aborted.signal)).rejects.toThrow('already');
    await clock.advance(200);
    expect(clock.nextTimerAtMs()).toBeUndefined();
  });

  test('advanceToNextTimer jumps to the next due instant and fires everything due then', async () => {
    const clock = createFakeClock({ startMs: 50 });
    const fired: number[] = [];
    void clock.sleep(30).then(() => fired.push(1));
    void clock.sleep(30).then(() => fired.push(2));
    void clock.sleep(60).then(() => fired.push(3));
    expect(await clock.advanceToNextTimer()).toBe(true);
    expect(clock.now()).toBe(80);
    expect(fired).toEqual([1, 2]);
    expect(await clock.advanceToNextTimer()).toBe(true);
    expect(clock.now()).toBe(110);
    expect(fired).toEqual([1, 2, 3]);
    expect(await clock.advanceToNextTimer()).toBe(false);
  });

  test('orders many interleaved timers correctly', async () => {
    const clock = createFakeClock();
    const fired: number[] = [];
    const delays = Array.from({ length: 200 }, (_, index) => (index * 7919) % 1_000);
    for (const delay of delays) void clock.sleep(delay).then(() => fired.push(clock.now()));
    await clock.advance(1_000);
    expect(fired).toHaveLength(200);
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
  });
});
