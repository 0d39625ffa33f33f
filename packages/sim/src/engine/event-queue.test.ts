import { expect, test } from 'vitest';
import { createRandom } from '../random.js';
import { EventQueue } from './event-queue.js';

test('EventQueue pops by time, equal times in insertion order', () => {
  const queue = new EventQueue<string>();
  queue.push(5, 'a');
  queue.push(1, 'b');
  queue.push(5, 'c');
  queue.push(3, 'd');
  queue.push(1, 'e');
  expect(queue.peekTime()).toBe(1);
  const order: string[] = [];
  while (queue.size > 0) order.push(queue.pop()!);
  expect(order).toEqual(['b', 'e', 'd', 'a', 'c']);
  expect(queue.pop()).toBeUndefined();
  expect(queue.peekTime()).toBe(Number.POSITIVE_INFINITY);
});

test('EventQueue sorts many random times', () => {
  const random = createRandom(5);
  const queue = new EventQueue<number>();
  const times = Array.from({ length: 2000 }, () => Math.floor(random.next() * 100));
  for (const [index, time] of times.entries()) queue.push(time, index);
  const popped: number[] = [];
  while (queue.size > 0) popped.push(queue.pop()!);
  const expected = times
    .map((time, index) => ({ time, index }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map((entry) => entry.index);
  expect(popped).toEqual(expected);
});
