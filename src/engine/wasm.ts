// Loader for the WebAssembly SIMD kernels (assembly/, built by `npm run build` twice:
// build/kernels-fma.wasm uses relaxed SIMD's fused multiply-add, build/kernels.wasm plain 128-bit
// SIMD). Each kernel set owns one shared WebAssembly.Memory sized for its network (or a region of
// another's: the data-parallel helper's replica, see train/parallel.ts), with a bump allocator
// handing out Float32Array views; kernels receive the views' byte offsets. Uses only the standard
// WebAssembly API, so the same modules load in a browser (shared memory there needs a
// cross-origin-isolated page). `loadWasmModule()` prefers the fused build
// (up to twice the arithmetic rate on CPUs with FMA3), turning on V8's relaxed-SIMD flag when the
// runtime has it behind one (Node 20), and takes the plain build when that is refused or when
// PRUNELAB_FMA=0 (bit-for-bit the numbers of builds without FMA; the two differ by float32
// rounding).
// It returns null when neither loads, and callers fall back to the reference kernels.
// 5x5 convolutions of four or more channels use the Winograd algorithm (assembly/winograd.ts)
// unless
// PRUNELAB_WINOGRAD=0 or the `winograd: false` option (the direct im2col kernels).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { FloatArray, Kernels } from './kernels.js';

interface WasmExports {
  conv2dForward(...a: number[]): number;
  conv2dBackward(...a: number[]): void;
  convReluMaxPoolGrad(...a: number[]): void;
  denseForward(...a: number[]): void;
  denseBackward(...a: number[]): void;
  denseInputGrad(...a: number[]): void;
  tanhForward(...a: number[]): void;
  tanhBackward(...a: number[]): void;
  avgPool2Forward(...a: number[]): void;
  avgPool2Backward(...a: number[]): void;
  avgPoolTanhBackward(...a: number[]): void;
  reluForward(...a: number[]): void;
  reluBackward(...a: number[]): void;
  sigmoidForward(...a: number[]): void;
  sigmoidBackward(...a: number[]): void;
  maxPool2Forward(...a: number[]): void;
  maxPool2Backward(...a: number[]): void;
  pad2d(...a: number[]): void;
  crop2d(...a: number[]): void;
  subsample2d(...a: number[]): void;
  upsample2d(...a: number[]): void;
  dropoutForward(...a: number[]): void;
  dropoutBackward(...a: number[]): void;
  sgdStep(...a: number[]): void;
  sgdStepSum(...a: number[]): void;
  denseWeightGradStep(...a: number[]): number;
  accumulate(...a: number[]): void;
  zero(...a: number[]): void;
  convScratchFloats(C: number, K: number, OC: number, OH: number, OW: number): number;
  setWinograd(on: number): void;
  setSparse(on: number): void;
  transformedFloats(C: number, H: number, W: number, OC: number, K: number): number;
}

let cached: WebAssembly.Module | null | undefined;
let cachedVariant: 'simd-fma' | 'simd' | null = null;

export function wasmPath(fused = false): string {
  return join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    'build',
    fused ? 'kernels-fma.wasm' : 'kernels.wasm',
  );
}

function compile(file: string, relaxed: boolean): WebAssembly.Module | null {
  if (!existsSync(file)) return null;
  const bytes = readFileSync(file);
  if (relaxed && !WebAssembly.validate(bytes)) {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      return null;
    }
    if (!WebAssembly.validate(bytes)) return null;
  }
  try {
    return new WebAssembly.Module(bytes);
  } catch {
    return null; // no SIMD support, or a corrupt build
  }
}

/**
 * One build, compiled (null when missing or refused): for tests and benchmarks that compare them.
 */
export function compileWasmVariant(variant: 'simd-fma' | 'simd'): WebAssembly.Module | null {
  return variant === 'simd-fma' ? compile(wasmPath(true), true) : compile(wasmPath(), false);
}

export function loadWasmModule(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  const fused = process.env.PRUNELAB_FMA !== '0' ? compileWasmVariant('simd-fma') : null;
  cached = fused ?? compileWasmVariant('simd');
  cachedVariant = fused ? 'simd-fma' : cached ? 'simd' : null;
  return cached;
}

/**
 * Uses `module` (a build compiled by the caller, which names it) instead of reading the files: a
 * page fetches and compiles the kernels itself and hands them to each Web Worker.
 */
export function useWasmModule(module: WebAssembly.Module, variant: 'simd-fma' | 'simd'): void {
  cached = module;
  cachedVariant = variant;
}

/** Which build loadWasmModule() took: 'simd-fma' (fused multiply-add), 'simd', or null (none). */
export function wasmVariant(): 'simd-fma' | 'simd' | null {
  loadWasmModule();
  return cachedVariant;
}

const PAGE = 65536;
// Convolution scratch (im2col buffers) is one fixed region at the start of each kernel set's part
// of memory; the backward pass keeps within 2^18 floats (assembly/conv-layout.ts), the forward pass
// within 2^19 for LeNet-5 on inputs up to 3x32x64; larger convolutions get a clear error.
const SCRATCH = 1 << 19;

/**
 * WebAssembly kernels with their memory: a network's own, or a region of another's (a helper
 * thread's replica).
 */
export interface WasmKernels extends Kernels {
  readonly memory: WebAssembly.Memory;
  /**
   * Grows the memory by a region of `floats` floats (for a helper thread's kernels:
   * createWasmKernels with `region`) and returns its byte range; null when it does not fit the
   * memory's maximum.
   */
  extend(floats: number): { start: number; end: number } | null;
}

/** Bytes a kernel set needs in a region for `floats` floats of buffers. */
export function regionBytes(floats: number): number {
  return Math.ceil(((floats + SCRATCH) * 4 + 64 * 1024) / PAGE) * PAGE;
}

/**
 * Kernels over a new shared memory sized for `floats` floats of buffers (room to grow to three
 * times that, for a helper's region), or over `region` of an existing memory.
 */
export function createWasmKernels(
  floats: number,
  module = loadWasmModule(),
  region?: { memory: WebAssembly.Memory; start: number; end: number },
  options: { winograd?: boolean; sparse?: boolean } = {},
): WasmKernels {
  if (!module)
    throw new Error(
      `WebAssembly kernels are not available (${wasmPath()} missing or unsupported); run \`npm run build\``,
    );
  const pages = regionBytes(floats) / PAGE;
  const memory =
    region?.memory ?? new WebAssembly.Memory({ initial: pages, maximum: 3 * pages, shared: true });
  const x = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort() {
        throw new Error('wasm abort');
      },
    },
  }).exports as unknown as WasmExports;
  x.setWinograd((options.winograd ?? process.env.PRUNELAB_WINOGRAD !== '0') ? 1 : 0);
  x.setSparse((options.sparse ?? process.env.PRUNELAB_SPARSE !== '0') ? 1 : 0);
  const scratch = region ? region.start : 64; // 0 stays the null pointer
  const limit = region ? region.end : memory.buffer.byteLength;
  const bottom = scratch + SCRATCH * 4;
  let top = bottom;
  // the end of what networks laid out here have used: a buffer handed out below it is zeroed then
  let dirty = bottom;
  // a shared memory's buffer object changes when it grows; views made before stay valid
  const buffers: ArrayBufferLike[] = [memory.buffer];
  const p = (a: FloatArray | null): number => {
    if (a === null) return 0;
    if (a.buffer !== buffers[buffers.length - 1] && !buffers.includes(a.buffer))
      throw new Error('wasm kernels need buffers from their own alloc()');
    return a.byteOffset;
  };
  const conv = (C: number, H: number, W: number, OC: number, K: number): number => {
    const need = x.convScratchFloats(C, K, OC, H - K + 1, W - K + 1);
    if (need > SCRATCH)
      throw new Error(
        `convolution too large for the kernels' scratch (${need} floats needed, ${SCRATCH} available)`,
      );
    return scratch;
  };
  const kernels: WasmKernels = {
    name: 'wasm',
    dtype: 'float32',
    memory,
    alloc(n, scratchOnly = false) {
      const start = (top + 15) & ~15;
      if (start + n * 4 > limit) throw new Error(`wasm arena exhausted (${n} floats requested)`);
      top = start + n * 4;
      // a grown shared memory hands out a new buffer object: remember each one views are made on
      const buffer = memory.buffer;
      if (!buffers.includes(buffer)) buffers.push(buffer);
      const view = new Float32Array(buffer, start, n);
      // zeroed as a new memory is, so a network laid out here starts as it would in a new one
      if (!scratchOnly && start < dirty) x.zero(start, Math.min(n, (dirty - start) / 4));
      dirty = Math.max(dirty, top);
      return view;
    },
    reset() {
      top = bottom;
    },
    extend(floats) {
      const bytes = regionBytes(floats),
        start = memory.buffer.byteLength;
      try {
        memory.grow(bytes / PAGE);
      } catch {
        return null;
      }
      buffers.push(memory.buffer);
      return { start, end: start + bytes };
    },
    conv2dForward: (
      out,
      inp,
      w,
      b,
      B,
      C,
      H,
      W,
      OC,
      K,
      activation = null,
      pooled = null,
      t = null,
    ) =>
      x.conv2dForward(
        p(out),
        p(inp),
        p(w),
        p(b),
        B,
        C,
        H,
        W,
        OC,
        K,
        conv(C, H, W, OC, K),
        activation === 'tanh' ? 1 : activation === 'relu' ? 2 : 0,
        p(pooled),
        p(t),
      ) === 1,
    transformedFloats: (C, H, W, OC, K) => x.transformedFloats(C, H, W, OC, K),
    conv2dBackward: (dInp, dW, dB, dOut, inp, w, B, C, H, W, OC, K, t = null) =>
      x.conv2dBackward(
        p(dInp),
        p(dW),
        p(dB),
        p(dOut),
        p(inp),
        p(w),
        B,
        C,
        H,
        W,
        OC,
        K,
        conv(C, H, W, OC, K),
        p(t),
      ),
    convReluMaxPoolBackward: (dW, dB, dPooled, y, inp, B, C, H, W, OC) =>
      x.convReluMaxPoolGrad(p(dW), p(dB), p(dPooled), p(y), p(inp), B, C, H, W, OC, scratch),
    denseForward: (out, inp, w, b, B, I, O) => x.denseForward(p(out), p(inp), p(w), p(b), B, I, O),
    denseBackward: (dInp, dW, dB, dOut, inp, w, B, I, O) =>
      x.denseBackward(p(dInp), p(dW), p(dB), p(dOut), p(inp), p(w), B, I, O, scratch),
    denseInputGrad: (dInp, dOut, OS, w, B, I, O, add) =>
      x.denseInputGrad(p(dInp), p(dOut), OS, p(w), B, I, O, add ? 1 : 0, scratch),
    tanhForward: (out, inp, n) => x.tanhForward(p(out), p(inp), n),
    tanhBackward: (dInp, dOut, y, n) => x.tanhBackward(p(dInp), p(dOut), p(y), n),
    avgPool2Forward: (out, inp, planes, H, W) => x.avgPool2Forward(p(out), p(inp), planes, H, W),
    avgPool2Backward: (dInp, dOut, planes, H, W) =>
      x.avgPool2Backward(p(dInp), p(dOut), planes, H, W),
    avgPoolTanhBackward: (dInp, dOut, y, planes, H, W) =>
      x.avgPoolTanhBackward(p(dInp), p(dOut), p(y), planes, H, W),
    reluForward: (out, inp, n) => x.reluForward(p(out), p(inp), n),
    reluBackward: (dInp, dOut, y, n) => x.reluBackward(p(dInp), p(dOut), p(y), n),
    sigmoidForward: (out, inp, n) => x.sigmoidForward(p(out), p(inp), n),
    sigmoidBackward: (dInp, dOut, y, n) => x.sigmoidBackward(p(dInp), p(dOut), p(y), n),
    maxPool2Forward: (out, inp, planes, H, W, relu = false) =>
      x.maxPool2Forward(p(out), p(inp), planes, H, W, relu ? 1 : 0),
    maxPool2Backward: (dInp, dOut, inp, planes, H, W, relu = false) =>
      x.maxPool2Backward(p(dInp), p(dOut), p(inp), planes, H, W, relu ? 1 : 0),
    pad2d: (out, inp, planes, H, W, P) => x.pad2d(p(out), p(inp), planes, H, W, P),
    crop2d: (dInp, dPadded, planes, H, W, P) => x.crop2d(p(dInp), p(dPadded), planes, H, W, P),
    subsample2d: (out, inp, planes, H, W, S) => x.subsample2d(p(out), p(inp), planes, H, W, S),
    upsample2d: (dInp, dOut, planes, H, W, S) => x.upsample2d(p(dInp), p(dOut), planes, H, W, S),
    dropoutForward: (out, inp, mask, n) => x.dropoutForward(p(out), p(inp), p(mask), n),
    dropoutBackward: (dInp, dOut, mask, n) => x.dropoutBackward(p(dInp), p(dOut), p(mask), n),
    // memory.fill: a JavaScript fill of a view of shared memory is about twice as slow
    zero: (buf) => x.zero(p(buf), buf.length),
    accumulate: (dst, src, n) => x.accumulate(p(dst), p(src), n),
    sgdStep: (pp, g, v, n, lr, mu, wd) => x.sgdStep(p(pp), p(g), p(v), n, lr, mu, wd),
    denseWeightGradStep: ({ p: pp, g, v }, [h0, h1], OS, I, O, { lr, mu, wd }) => {
      const [d0, i0, d1, i1] = [p(h0.dOut), p(h0.inp), p(h1.dOut), p(h1.inp)];
      const ran = x.denseWeightGradStep(
        p(pp),
        p(g),
        p(v),
        d0,
        i0,
        h0.B,
        d1,
        i1,
        h1.B,
        OS,
        I,
        O,
        lr,
        mu,
        wd,
        scratch,
      );
      return ran === 1;
    },
    sgdStepSum: (pp, g, g2, v, n, lr, mu, wd) =>
      x.sgdStepSum(p(pp), p(g), p(g2), p(v), n, lr, mu, wd),
  };
  return kernels;
}
