// Fast float32 kernels for the LeNet-class engine, compiled to WebAssembly with 128-bit SIMD. Same
// contracts as src/engine/reference.ts (the oracle they are tested against): every pointer is a
// byte offset into the imported memory; backward passes ADD into dW/dB and SET dInp. Layouts: conv
// input [batch, channels, height, width], conv weight [out, in, k, k], dense weight [out, in].
// Nothing here allocates; the JS side owns the memory (see src/engine/wasm.ts).

// The module's exports, the kernels the JS side calls (src/engine/wasm.ts), one room each.
export { convScratchFloats, setWinograd, transformedFloats } from './conv-layout';
export { conv2dForward } from './conv-forward';
export { conv2dBackward } from './conv-backward';
export { convReluMaxPoolGrad } from './conv-pool-grad';
export { denseForward } from './dense-forward';
export { denseBackward, denseInputGrad } from './dense-backward';
export { setSparse } from './dense-sparse';
export { denseWeightGradStep } from './dense-step';
export { tanhForward, tanhBackward } from './pointwise';
export { avgPool2Forward, avgPool2Backward, avgPoolTanhBackward } from './pooling';
export { sgdStep, sgdStepSum, accumulate, zero } from './sgd';
export { reluForward, reluBackward, sigmoidForward, sigmoidBackward } from './pointwise';
export { maxPool2Forward, maxPool2Backward } from './pooling';
export { pad2d, crop2d, subsample2d, upsample2d } from './pad-stride';
export { dropoutForward, dropoutBackward } from './pointwise';
