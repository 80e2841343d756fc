// The SGD update of a part of a network's parameters (the two half-batches' gradients added and
// the parameters stepped: the kernels' sgdStepSum) with the bits of one pass over all of them. The
// fused-multiply-add build steps whole fours of parameters in vector lanes and the last P mod 4
// parameters one at a time, and the two differ by a rounding. A pass over a range therefore gives
// one pass's bits only where its own fours and tail fall where one pass's do: updateRanges takes
// ranges that start on a multiple of 4 and end on one or at the end; updateAnyRange any range, its
// last part-four stepped in the lanes of a four of its own.
import type { FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';
import type { SgdOptions } from './serial-step.js';

/**
 * The update of parameter ranges [from, to) of `own`, each starting on a multiple of 4 and ending
 * on one or at the end.
 */
export function updateRanges(
  own: Network,
  ranges: [number, number][],
  grads: [FloatArray, FloatArray],
  velocity: FloatArray | null,
  opt: SgdOptions,
): void {
  for (const [from, to] of ranges) {
    if (to <= from) continue;
    const part = (a: FloatArray) => a.subarray(from, to);
    own.kernels.sgdStepSum(
      part(own.params),
      part(grads[0]),
      part(grads[1]),
      velocity && part(velocity),
      to - from,
      opt.lr,
      opt.momentum,
      opt.weightDecay,
    );
  }
}

/** Each network's room for a part-four's step in its kernels' memory (fourOf). */
const fours = new WeakMap<Network, FloatArray[]>();

/** The room: four parameters, gradients, second half's gradients and velocities. */
function fourOf(own: Network): FloatArray[] {
  let rooms = fours.get(own);
  if (!rooms) {
    const room = own.kernels.alloc(16);
    rooms = [0, 4, 8, 12].map((at) => room.subarray(at, at + 4));
    fours.set(own, rooms);
  }
  return rooms;
}

/**
 * The update of parameters [from, to) of `own`, which may start and end anywhere: whole fours from
 * `from` in vector lanes, as one pass steps every parameter below the last multiple of 4 of the
 * parameter count, then the 1 to 3 left below it in the lanes of a four (the others zero, their
 * results dropped), then any in one pass's tail as it steps them.
 */
export function updateAnyRange(
  own: Network,
  [from, to]: [number, number],
  grads: [FloatArray, FloatArray],
  velocity: FloatArray | null,
  opt: SgdOptions,
): void {
  const P = own.params.length;
  const lanesEnd = Math.max(from, Math.min(to, P - (P % 4)));
  const fourEnd = from + (((lanesEnd - from) >> 2) << 2);
  updateRanges(own, [[from, fourEnd]], grads, velocity, opt);
  if (fourEnd < lanesEnd) updatePartFour(own, [fourEnd, lanesEnd], grads, velocity, opt);
  updateRanges(own, [[lanesEnd, to]], grads, velocity, opt);
}

/** The step of parameters [from, to), fewer than 4, in the lanes of a four. */
function updatePartFour(
  own: Network,
  [from, to]: [number, number],
  grads: [FloatArray, FloatArray],
  velocity: FloatArray | null,
  opt: SgdOptions,
): void {
  const rooms = fourOf(own);
  const targets = [own.params, grads[0], grads[1], velocity];
  for (const [i, room] of rooms.entries()) {
    room.fill(0);
    const target = targets[i];
    if (target) room.set(target.subarray(from, to));
  }
  const [p, g, g2, v] = rooms;
  own.kernels.sgdStepSum(p, g, g2, velocity && v, 4, opt.lr, opt.momentum, opt.weightDecay);
  // the step writes the parameters, the summed gradient and the velocity, not the second half's
  for (const i of [0, 1, 3]) targets[i]?.set(rooms[i].subarray(0, to - from), from);
}
