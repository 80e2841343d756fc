// The Winograd convolution's backward pass (winograd.ts): the output gradient transformed once,
// then the weight gradient (dU = dM . V) and the input gradient (dV = U^T dM) in the transformed
// domain.
import { hsum, hsum4, putColumns } from './simd';
import { gsT, gsTv } from './winograd-transforms';
import { gsTv8 } from './winograd-transforms8';
import { weightTransform, interleave, deinterleave } from './winograd-layout';
import { inputTransform } from './winograd-forward';
import { tilesPadded, tileSide, scratchPart } from './winograd';
import { addBiasGrad } from './conv-weight-grad-tail';
import { PART_U, PART_V, PART_M, PART_E, PART_TMP, PART_Y, PART_DV, PART_DU } from './winograd';
import { outputGradTransform, productWeights, inputGradTransform } from './winograd-gradients';
import { productInput } from './winograd-input-product';
import { channels4, productWeightsByChannel } from './winograd-weight-product4';

export function winogradBackward(
  dInp: usize,
  dW: usize,
  dB: usize,
  dOut: usize,
  inp: usize,
  w: usize,
  B: i32,
  C: i32,
  H: i32,
  W: i32,
  OC: i32,
  scratch: usize,
  transformed: usize,
): void {
  const OH = H - 4,
    OW = W - 4,
    P = OH * OW,
    m = tileSide(H, W),
    A = m + 4,
    XI = A * A,
    TY = OH / m,
    TX = OW / m,
    TP = tilesPadded(H, W, m);
  const Xi = scratch,
    U = transformed ? transformed : scratch + scratchPart(PART_U, C, H, W, OC),
    V = scratch + scratchPart(PART_V, C, H, W, OC),
    M = scratch + scratchPart(PART_M, C, H, W, OC),
    E = scratch + scratchPart(PART_E, C, H, W, OC),
    tmp = scratch + scratchPart(PART_TMP, C, H, W, OC);
  const dYi = scratch + scratchPart(PART_Y, C, H, W, OC),
    dV = scratch + scratchPart(PART_DV, C, H, W, OC),
    dU = scratch + scratchPart(PART_DU, C, H, W, OC);
  // the forward pass's transformed weights where it kept them (the same bits)
  if (dInp != 0 && transformed == 0) weightTransform(U, w, C, OC, tmp, m);
  // F(4x4, 5x5)'s dU: a float per value, output and input channel (winograd-weight-product4.ts)
  if (m == 4) memory.fill(dU, 0, (<usize>(XI * OC * channels4(C))) << 2);
  else memory.fill(dU, 0, (<usize>(XI * C * OC)) << 4);
  if (TP > TY * TX)
    for (let xi = 0; xi < XI; xi++) {
      for (let c = 0; c < C; c++)
        v128.store(V + ((<usize>((xi * C + c) * TP + TP - 1)) << 4), f32x4.splat(0));
      for (let oc = 0; oc < OC; oc++)
        v128.store(M + ((<usize>((xi * OC + oc) * TP + TP - 1)) << 4), f32x4.splat(0));
    }
  for (let n = 0; n < B; n++) addBiasGrad(dB, dOut + ((<usize>(n * OC * P)) << 2), OC, P);
  for (let n0 = 0; n0 < B; n0 += 4) {
    interleave(Xi, inp, n0, B, C * H * W);
    interleave(dYi, dOut, n0, B, OC * P);
    inputTransform(V, Xi, E, C, H, W, TP, m);
    outputGradTransform(M, dYi, OC, OH, OW, TP, m, tmp);
    if (m == 4) productWeightsByChannel(dU, M, V, dV, C, OC, TP, XI);
    else productWeights(dU, M, V, C, OC, TP, XI);
    if (dInp == 0) continue;
    productInput(dV, U, M, C, OC, TP, XI);
    const dXi = Xi; // the interleaved input is no longer needed
    inputGradTransform(dXi, dV, E, C, H, W, TP, m);
    deinterleave(dInp, dXi, n0, B, C * H * W);
  }
  if (m == 4) weightGradient8(dW, dU, V, C, OC);
  else weightGradient(dW, dU, V, tmp, C, OC);
}

// dW[oc, c] += G^T dU[., c, oc] G, dU summed over the lanes: four output channels at a time
// (their lane sums side by side in one vector), in the space of V (free by now)
function weightGradient(dW: usize, dU: usize, V: usize, tmp: usize, C: i32, OC: i32): void {
  const T = V,
    T2 = T + 36 * 16,
    T3 = T2 + 30 * 16;
  const OC4 = OC & ~3;
  for (let c = 0; c < C; c++) {
    for (let oc = 0; oc < OC4; oc += 4) {
      for (let xi = 0; xi < 36; xi++) {
        const u = dU + ((<usize>((xi * C + c) * OC + oc)) << 4);
        v128.store(
          T + ((<usize>xi) << 4),
          hsum4(v128.load(u), v128.load(u, 16), v128.load(u, 32), v128.load(u, 48)),
        );
      }
      // t2[i][kx], then t3[ky][kx]
      for (let i = 0; i < 6; i++)
        gsTv(T + ((<usize>(6 * i)) << 4), 16, T2 + ((<usize>(5 * i)) << 4), 16);
      for (let kx = 0; kx < 5; kx++) gsTv(T2 + ((<usize>kx) << 4), 80, T3 + ((<usize>kx) << 4), 80);
      addLanes(dW, T3, oc, c, C);
    }
    for (let oc = OC4; oc < OC; oc++) {
      for (let xi = 0; xi < 36; xi++)
        store<f32>(
          tmp + ((<usize>xi) << 2),
          hsum(v128.load(dU + ((<usize>((xi * C + c) * OC + oc)) << 4))),
        );
      for (let i = 0; i < 6; i++)
        gsT(tmp + ((<usize>(6 * i)) << 2), 4, tmp + 256 + ((<usize>(5 * i)) << 2), 4); // t2[i][kx]
      for (let kx = 0; kx < 5; kx++)
        gsT(tmp + 256 + ((<usize>kx) << 2), 20, tmp + 512 + ((<usize>kx) << 2), 20); // t3[ky][kx]
      const d = dW + ((<usize>((oc * C + c) * 25)) << 2);
      for (let k = 0; k < 25; k++)
        store<f32>(
          d + ((<usize>k) << 2),
          load<f32>(d + ((<usize>k) << 2)) + load<f32>(tmp + 512 + ((<usize>k) << 2)),
        );
    }
  }
}

// weightGradient for F(4x4, 5x5), from dU's rows of input channels (productWeightsByChannel): four
// input channels at a time, one load each; the channels past C not stored.
function weightGradient8(dW: usize, dU: usize, V: usize, C: i32, OC: i32): void {
  const T = V,
    T2 = T + 64 * 16,
    T3 = T2 + 40 * 16,
    C4 = channels4(C);
  for (let oc = 0; oc < OC; oc++)
    for (let c = 0; c < C; c += 4) {
      const lanes = C - c < 4 ? C - c : 4;
      for (let xi = 0; xi < 64; xi++) {
        const u = dU + ((<usize>((xi * OC + oc) * C4 + c)) << 2);
        v128.store(T + ((<usize>xi) << 4), v128.load(u));
      }
      for (let i = 0; i < 8; i++)
        gsTv8(T + ((<usize>(8 * i)) << 4), 16, T2 + ((<usize>(5 * i)) << 4), 16);
      for (let kx = 0; kx < 5; kx++)
        gsTv8(T2 + ((<usize>kx) << 4), 80, T3 + ((<usize>kx) << 4), 80);
      const d = dW + ((<usize>((oc * C + c) * 25)) << 2);
      if (lanes == 4) addColumns(d, T3);
      else for (let l = 0; l < lanes; l++) addLane(d + <usize>(l * 100), T3, l);
    }
}

// d[l * 25 + k] += lane l of T3's vector k, for the 4 lanes and the 25 weights of a 5x5 kernel:
// four vectors at a time turned into rows of four weights.
@inline function addColumns(d: usize, T3: usize): void {
  for (let k = 0; k < 24; k += 4) {
    const t = T3 + ((<usize>k) << 4);
    const r0 = v128.load(t),
      r1 = v128.load(t, 16),
      r2 = v128.load(t, 32),
      r3 = v128.load(t, 48);
    putColumns(r0, r1, r2, r3, d + ((<usize>k) << 2), 100, 1);
  }
  for (let l = 0; l < 4; l++) {
    const p = d + <usize>(l * 100 + 96);
    store<f32>(p, load<f32>(p) + load<f32>(T3 + 24 * 16 + ((<usize>l) << 2)));
  }
}

// d[k] += lane l of T3's vector k, for each of the 25 weights of a 5x5 kernel.
@inline function addLane(d: usize, T3: usize, l: i32): void {
  const t = T3 + ((<usize>l) << 2);
  for (let k = 0; k < 25; k++)
    store<f32>(
      d + ((<usize>k) << 2),
      load<f32>(d + ((<usize>k) << 2)) + load<f32>(t + ((<usize>k) << 4)),
    );
}

// dW[oc + l, c] += lane l of T3's 25 vectors, for l < 4.
@inline function addLanes(dW: usize, T3: usize, oc: i32, c: i32, C: i32): void {
  for (let l = 0; l < 4; l++) addLane(dW + ((<usize>(((oc + l) * C + c) * 25)) << 2), T3, l);
}
