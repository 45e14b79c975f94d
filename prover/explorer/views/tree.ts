/**
 * The shape of a batch's proving tree (spec V2.4, docs/prover.md), for display: height-1 units over slot
 * pairs (a pair leaf for two included statements, a single leaf for one), a pad for each maximal all-zero
 * subtree (height >= 1), a node above every other unit, the root at the top. Empty and excluded slots are
 * zero leaves. It mirrors the engine's planner without importing the engine (the explorer stands on the
 * protocol, not on the prover).
 */
export type UnitKind = 'leaf' | 'pad' | 'node' | 'covered';

export interface TreeUnit {
  readonly height: number;
  readonly index: number;
  readonly kind: UnitKind;
  /** First slot and number of slots under the unit. */
  readonly firstSlot: number;
  readonly width: number;
  /** Statements proven under a leaf (1 or 2). */
  readonly statements?: number;
  done?: boolean;
}

export interface TreeShape {
  readonly capacity: number;
  /** Levels from height 1 (leaves) to the root. */
  readonly levels: readonly (readonly TreeUnit[])[];
  readonly jobs: { readonly leaf: number; readonly pad: number; readonly node: number };
}

/** The tree of a batch of `capacity` slots where `included[i]` says slot i is proven. */
export function treeShape(capacity: number, included: readonly boolean[]): TreeShape {
  const depth = Math.log2(capacity);
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`capacity ${capacity} is not a power of two >= 2`);
  const zero = (first: number, width: number): boolean => {
    for (let s = first; s < first + width; s++) if (included[s]) return false;
    return true;
  };
  const levels: TreeUnit[][] = [];
  const jobs = { leaf: 0, pad: 0, node: 0 };
  for (let h = 1; h <= depth; h++) {
    const width = 2 ** h;
    const row: TreeUnit[] = [];
    for (let i = 0; i < capacity / width; i++) {
      const firstSlot = i * width;
      const isZero = zero(firstSlot, width);
      const parentZero = h < depth && zero(Math.floor(firstSlot / (2 * width)) * 2 * width, 2 * width);
      let kind: UnitKind;
      if (isZero) kind = parentZero ? 'covered' : 'pad';
      else kind = h === 1 ? 'leaf' : 'node';
      if (kind !== 'covered') jobs[kind]++;
      const statements = kind === 'leaf' ? (included[firstSlot] ? 1 : 0) + (included[firstSlot + 1] ? 1 : 0) : undefined;
      row.push({ height: h, index: i, kind, firstSlot, width, ...(statements !== undefined ? { statements } : {}) });
    }
    levels.push(row);
  }
  return { capacity, levels, jobs };
}

/** Marks `done` units: the first n of each kind, bottom level first (the engine proves level by level). */
export function markDone(shape: TreeShape, done: { leaf: number; pad: number; node: number }): TreeShape {
  const left = { ...done };
  const levels = shape.levels.map((row) =>
    row.map((u) => {
      if (u.kind === 'covered') return u;
      const d = left[u.kind] > 0;
      if (d) left[u.kind]--;
      return { ...u, done: d };
    }),
  );
  return { ...shape, levels };
}
