// The browser's stand-in for node:v8: the relaxed-SIMD flag cannot be set from a page (the fused
// kernels load only where the browser has relaxed SIMD), and the serializer of dataset files is
// Node's alone.
import { unavailable } from './unavailable.js';

export function serialize(): never {
  return unavailable("node:v8's serializer");
}

export function deserialize(): never {
  return unavailable("node:v8's serializer");
}

export function setFlagsFromString(): void {
  // V8's flags cannot be set from a page; the relaxed-SIMD build loads only if the browser has it
}

export default { serialize, deserialize, setFlagsFromString };
