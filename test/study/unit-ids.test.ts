// The original ids of removed and surviving units (src/study/unit-ids.ts).
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/study/records.js';
import { stepIds, survivingIds } from '../../src/study/unit-ids.js';

describe('unit ids', () => {
  it('follows removals named by position back to the units of the unpruned layer', () => {
    const start = [0, 1, 2, 3, 4, 5];
    // remove position 0 (unit 0) merged into position 1 (unit 1): units 1..5 remain
    const a = stepIds(start, [{ removed: [0], mergedInto: 1, score: 0.9 }]);
    expect(a).toEqual({ removedIds: [0], mergedIntoId: 1, survivingIds: [1, 2, 3, 4, 5] });
    // position 0 is now unit 1: the same positions name different units at every step
    const b = stepIds(a.survivingIds, [{ removed: [0], mergedInto: 1, score: 0.9 }]);
    expect(b).toEqual({ removedIds: [1], mergedIntoId: 2, survivingIds: [2, 3, 4, 5] });
    // a complementary pair, then a second removal in the same step
    const c = stepIds(b.survivingIds, [
      { removed: [1, 3], mergedInto: null, score: 170 },
      { removed: [0], mergedInto: null, score: 3 },
    ]);
    expect(c).toEqual({ removedIds: [3, 5, 2], mergedIntoId: null, survivingIds: [4] });
  });

  it('replays records written before ids were kept', () => {
    const step = (removed: number[]) => ({ removed }) as unknown as StepRecord;
    expect(survivingIds(5, [step([2]), step([0]), step([2])])).toEqual([1, 3]);
    const withIds = { removed: [0], survivingIds: [7, 9] } as unknown as StepRecord;
    expect(survivingIds(10, [withIds])).toEqual([7, 9]);
  });
});
