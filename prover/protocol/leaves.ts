/**
 * Which leaf circuit covers a height-1 unit of a batch tree (specification V2.4, "Tree shape"): a pair
 * of slots with two included proofs is one `leaf_a_b` (a <= b; a swap bit puts the b-input proof on the
 * left, so 6 circuits serve all 9 ordered pairs), a pair with one included proof is one `leaf_a` with
 * its side bit.
 */
import { CommitmentError } from './commitmentError.js';
import { SINGLE_LEAF_FOR_PUBLIC_INPUTS, SUPPORTED_PUBLIC_INPUT_COUNTS, type PairLeafCircuit, type SingleLeafCircuit } from './constants.js';

function supported(count: number): void {
  if (!SUPPORTED_PUBLIC_INPUT_COUNTS.includes(count)) {
    throw new CommitmentError(`no leaf circuit for ${count} public inputs (supported: ${SUPPORTED_PUBLIC_INPUT_COUNTS.join(', ')})`);
  }
}

/** The single leaf for a rollup proof with `count` public inputs. */
export function singleLeafFor(count: number): SingleLeafCircuit {
  supported(count);
  return SINGLE_LEAF_FOR_PUBLIC_INPUTS[count]!;
}

/**
 * The pair leaf for a left slot with `left` public inputs and a right slot with `right`: `leaf_a_b`
 * with a = min, b = max, and `swap` when the left slot holds the b-input proof (`first` is then the
 * right slot's proof).
 */
export function pairLeafFor(left: number, right: number): { circuit: PairLeafCircuit; swap: boolean } {
  supported(left);
  supported(right);
  const swap = left > right;
  const [a, b] = swap ? [right, left] : [left, right];
  return { circuit: `leaf_${a}_${b}` as PairLeafCircuit, swap };
}
