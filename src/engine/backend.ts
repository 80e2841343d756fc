// Picks the kernels a network runs on: WebAssembly SIMD when available, else the reference loops.
import { createReferenceKernels } from './reference.js';
import { createWasmKernels, loadWasmModule, wasmVariant } from './wasm.js';
import type { Kernels } from './kernels.js';

export type BackendName = 'auto' | 'wasm' | 'reference' | 'reference64';

/** `floats`: how much memory the network will need (the wasm arena is sized from it). */
export function createKernels(backend: BackendName, floats: number): Kernels {
  if (backend === 'reference64') return createReferenceKernels('float64');
  if (backend === 'reference') return createReferenceKernels('float32');
  if (backend === 'wasm' || loadWasmModule()) return createWasmKernels(floats);
  return createReferenceKernels('float32');
}

/** The kernels in use, for results' environment: 'wasm-simd-fma', 'wasm-simd' or 'reference'. */
export function backendDescription(): string {
  const v = wasmVariant();
  return v ? `wasm-${v}` : 'reference';
}
