import { limits } from '@mailboat/schema';

export type PlannedPart = { number: number; offset: number; size: number };

/** The parts a file of `size` bytes uploads in: `partBytes` each (numbered from 1), the last what is left. */
export function planParts(size: number, partBytes = limits.attachments.partBytes): PlannedPart[] {
  const parts: PlannedPart[] = [];
  for (let offset = 0, number = 1; offset < size; offset += partBytes, number++) {
    parts.push({ number, offset, size: Math.min(partBytes, size - offset) });
  }
  return parts;
}

/** The planned parts not stored yet with exactly their size (`stored`: part number -> bytes). */
export function missingParts(plan: readonly PlannedPart[], stored: ReadonlyMap<number, number>): PlannedPart[] {
  return plan.filter((p) => stored.get(p.number) !== p.size);
}
