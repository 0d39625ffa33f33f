import { expect, test } from 'vitest';
import { createRandom } from '../random.js';
import { PlacementIndex } from './placement-index.js';
import type { SimInstance } from './simulation-types.js';

type Item = Pick<SimInstance, 'score' | 'order' | 'capacity' | 'used' | 'placementSlot'>;

function best(items: Item[], better: (a: Item, b: Item) => boolean): Item | undefined {
  let winner: Item | undefined;
  for (const item of items) if (winner === undefined || better(item, winner)) winner = item;
  return winner;
}

test('PlacementIndex answers as a scan would through adds, updates and removals (and growth)', () => {
  const random = createRandom(3);
  const index = new PlacementIndex();
  const all: Item[] = [];
  const present = new Set<Item>();
  const integer = (limit: number) => Math.floor(random.next() * limit);
  for (let step = 0; step < 4000; step++) {
    const roll = random.next();
    if (roll < 0.4 || all.length === 0) {
      const item: Item = {
        score: integer(5),
        order: all.length,
        capacity: { cores: 8, memoryMb: 1024, gpus: 2 },
        used: { cores: integer(9), memoryMb: integer(1025), gpus: integer(3) },
        placementSlot: -1,
      };
      all.push(item);
      present.add(item);
      index.upsert(item as SimInstance);
    } else if (roll < 0.8) {
      const item = all[integer(all.length)]!;
      item.score = integer(5);
      item.used = { cores: integer(9), memoryMb: integer(1025), gpus: integer(3) };
      present.add(item);
      index.upsert(item as SimInstance);
    } else {
      const item = all[integer(all.length)]!;
      present.delete(item);
      index.remove(item as SimInstance);
    }
    const items = [...present];
    expect(index.size).toBe(items.length);
    const free = (item: Item, resource: 'cores' | 'memoryMb' | 'gpus') => item.capacity[resource] - item.used[resource];
    const byFree = (resource: 'cores' | 'memoryMb' | 'gpus') => (a: Item, b: Item) =>
      free(a, resource) > free(b, resource) || (free(a, resource) === free(b, resource) && a.order < b.order);
    expect(index.roomiest()).toBe(
      best(items, (a, b) => a.score > b.score || (a.score === b.score && a.order < b.order)),
    );
    expect(index.mostFreeCores()).toBe(best(items, byFree('cores')));
    expect(index.mostFreeMemory()).toBe(best(items, byFree('memoryMb')));
    expect(index.mostFreeGpus()).toBe(best(items, byFree('gpus')));
  }
  expect(all.length).toBeGreaterThan(1000);
});
