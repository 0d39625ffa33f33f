import { expect, test } from 'vitest';
import { createRandom } from '../random.js';
import { IndexedHeap } from './indexed-heap.js';

interface Item {
  heapIndex: number;
  key: number;
  id: number;
}

test('IndexedHeap keeps the first item on top through pushes, updates and removals', () => {
  const random = createRandom(3);
  const heap = new IndexedHeap<'heapIndex', Item>(
    (a, b) => a.key > b.key || (a.key === b.key && a.id < b.id),
    'heapIndex',
  );
  const items: Item[] = Array.from({ length: 300 }, (_, id) => ({
    heapIndex: -1,
    key: Math.floor(random.next() * 50),
    id,
  }));
  for (const item of items) heap.push(item);
  const live = new Set(items);
  for (let step = 0; step < 2000; step++) {
    const item = items[Math.floor(random.next() * items.length)]!;
    const choice = random.next();
    if (choice < 0.2 && live.has(item)) {
      heap.remove(item);
      live.delete(item);
      expect(heap.has(item)).toBe(false);
    } else if (choice < 0.3 && !live.has(item)) {
      heap.push(item);
      live.add(item);
    } else {
      item.key = Math.floor(random.next() * 50);
      heap.update(item);
    }
    const expected = [...live].sort((a, b) => b.key - a.key || a.id - b.id)[0];
    expect(heap.peek()).toBe(expected);
    expect(heap.size).toBe(live.size);
  }
});
