// The network a configuration asks for (--arch, --input, --channels, or a --model file) and so
// the input the data must be prepared for: one place, so that `train`, `study`, `lr-sweep` and
// `evaluate` agree, and so that a network's shapes are checked before any data is loaded.
import type { TrainConfig } from '../config.js';
import type { DataConfig } from '../data/index.js';
import type { PreparedData } from '../data/types.js';
import { resolveArchitecture, type ArchitectureRequest } from '../nn/arch-spec.js';
import type { Architecture, Shape3, State } from '../nn/architecture.js';
import { architectureFromState } from '../nn/model-io.js';
import { ConfigError } from '../util/errors.js';

type NetworkConfig = Pick<TrainConfig, 'arch' | 'input' | 'channels' | 'output' | 'normalize'>;

/** --input and --channels as a request (undefined when neither is given). */
export function inputRequest(cfg: NetworkConfig): ArchitectureRequest['input'] {
  if (!cfg.input && !cfg.channels) return undefined;
  const [height, width] = (cfg.input ?? '').split('x').map(Number);
  return {
    ...(cfg.input ? { height, width: width || height } : {}),
    ...(cfg.channels ? { channels: cfg.channels } : {}),
  };
}

/**
 * The input shape the configuration's network reads, checked; undefined when nothing is asked
 * (the paper's LeNet-5 on the data's own shape: 1x32x32, or 1x32x64 for VehicleX features).
 */
export function requestedInputShape(cfg: NetworkConfig): Shape3 | undefined {
  const input = inputRequest(cfg);
  if (!cfg.arch && !input) return undefined;
  return resolveArchitecture(cfg.arch, { output: cfg.output, input }).input;
}

/** The configuration's network for this data (its input shape and classes), checked. */
export function configuredArchitecture(cfg: NetworkConfig, data: PreparedData): Architecture {
  const [channels, height, width] = data.inputShape;
  return resolveArchitecture(cfg.arch, {
    classes: data.classes.length,
    output: cfg.output,
    input: { channels, height, width },
  });
}

/**
 * A model file's network: --arch checked against its tensors (the classes from its last layer),
 * else its metadata's, else the paper's LeNet-5 sized by its tensors.
 */
export function modelArchitecture(
  cfg: NetworkConfig,
  state: State,
  metadata: Record<string, string>,
  file: string,
): Architecture {
  if (!cfg.arch) {
    const arch = architectureFromState(state, metadata, cfg.output, undefined, file);
    const said = Boolean(metadata['prunelab.architecture']);
    checkInputRequest(cfg, arch.input, said ? file : `${file} (read as the paper's LeNet-5)`, said);
    return arch;
  }
  const request = { output: cfg.output, input: inputRequest(cfg) };
  const draft = resolveArchitecture(cfg.arch, request);
  const last = draft.layers.at(-1);
  const rows = last && 'name' in last ? state.get(`${last.name}.weight`)?.shape[0] : undefined;
  const arch = resolveArchitecture(cfg.arch, { ...request, classes: rows });
  return architectureFromState(state, metadata, cfg.output, arch, file);
}

/** --input or --channels asking for another input than a model file's own: a usage error. */
function checkInputRequest(cfg: NetworkConfig, own: Shape3, file: string, said: boolean): void {
  const asked = inputRequest(cfg);
  if (!asked) return;
  const [channels, height, width] = own;
  const sizeDiffers =
    asked.height !== undefined && (asked.height !== height || asked.width !== width);
  if (sizeDiffers) {
    throw new ConfigError(
      `${file} takes ${height}x${width} images, not --input ${asked.height}x${asked.width}; ` +
        (said
          ? 'leave out --input (the model decides its input)'
          : 'give its architecture with --arch (lenet5-pad: the padded 28x28 LeNet-5)'),
    );
  }
  if (asked.channels !== undefined && asked.channels !== channels) {
    throw new ConfigError(
      `${file} takes ${channels}-channel images, not --channels ${asked.channels}; ` +
        'leave out --channels (the model decides its input)',
    );
  }
}

/** The data selection of `cfg`, prepared for a network reading `inputShape`. */
export function dataFor(
  cfg: TrainConfig & DataConfig,
  inputShape: Shape3 | undefined,
): TrainConfig & DataConfig {
  return { ...cfg, ...(inputShape ? { inputShape } : {}) };
}
