// Picks the kernels a network runs on: WebAssembly SIMD when available, else the reference loops.
import { isMainThread } from 'node:worker_threads';
import { createReferenceKernels } from './reference.js';
import { createWasmKernels, loadWasmModule, wasmPath, wasmVariant } from './wasm.js';
import type { Kernels } from './kernels.js';

export type BackendName = 'auto' | 'wasm' | 'reference' | 'reference64';

let warned = false;

/**
 * Says once, on stderr, that the plain kernels run instead of the WebAssembly SIMD ones (from the
 * main thread only, so a study's worker threads do not repeat it).
 */
function warnReference(): void {
  if (warned || !isMainThread) return;
  warned = true;
  process.stderr.write(
    `prunelab: WARNING: the WebAssembly SIMD kernels could not be loaded (${wasmPath()} and ` +
      `${wasmPath(true)}); running the plain reference kernels, about 40 times slower. ` +
      'The numbers are the same up to float32 rounding. Reinstall prunelab, or run ' +
      '`npm run build` in a clone, or use Node 20 or newer on a CPU with SIMD.\n',
  );
}

/** Whether the WebAssembly SIMD kernels load here; warns once when they do not. */
export function checkKernels(): boolean {
  if (loadWasmModule()) return true;
  warnReference();
  return false;
}

/** `floats`: how much memory the network will need (the wasm arena is sized from it). */
export function createKernels(backend: BackendName, floats: number): Kernels {
  if (backend === 'reference64') return createReferenceKernels('float64');
  if (backend === 'reference') return createReferenceKernels('float32');
  if (backend === 'wasm' || loadWasmModule()) return createWasmKernels(floats);
  warnReference();
  return createReferenceKernels('float32');
}

/** The kernels in use, for results' environment: 'wasm-simd-fma', 'wasm-simd' or 'reference'. */
export function backendDescription(): string {
  const v = wasmVariant();
  return v ? `wasm-${v}` : 'reference';
}
