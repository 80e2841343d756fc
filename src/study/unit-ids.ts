// Which of the layer's original units a pruning run removed and which survive: units are known by
// their position in the unpruned layer (their id), while each removal names positions in the layer
// as it then is. Lets a step be linked to the baseline's cosine heatmap and a surviving unit to
// its original.
import type { Removal } from '../prune/step.js';
import type { StepRecord } from './records.js';

export interface StepIds {
  removedIds: number[];
  mergedIntoId: number | null;
  survivingIds: number[];
}

/** The ids of a step's removals (applied one after the other) from the ids before it. */
export function stepIds(before: number[], removals: Removal[]): StepIds {
  let ids = before;
  const removedIds: number[] = [];
  let mergedIntoId: number | null = null;
  for (const removal of removals) {
    removedIds.push(...removal.removed.map((p) => ids[p]));
    mergedIntoId = removal.mergedInto === null ? null : ids[removal.mergedInto];
    const gone = new Set(removal.removed);
    ids = ids.filter((_, p) => !gone.has(p));
  }
  if (removals.length !== 1) mergedIntoId = null;
  return { removedIds, mergedIntoId, survivingIds: ids };
}

/**
 * The surviving ids after `records`, from the unpruned layer's `units`: the last record's, or,
 * for records written before ids were kept, replayed from their positions (exact for one removal
 * per step).
 */
export function survivingIds(units: number, records: StepRecord[]): number[] {
  const last = records.at(-1);
  if (last?.survivingIds) return last.survivingIds;
  let ids = Array.from({ length: units }, (_, u) => u);
  for (const record of records) {
    const gone = new Set(record.removed);
    ids = ids.filter((_, p) => !gone.has(p));
  }
  return ids;
}
