// Turns what a user names with --arch into an architecture, checked before any data is loaded: a
// preset (presets.ts), the shorthand `mlp:784-300-100-10[:relu|tanh|sigmoid]`, or a JSON spec file
// validated with zod. In a spec file a layer's input size (inChannels, inFeatures) may be left out:
// it follows from the layer before, and when given it is checked. The last layer is a dense layer
// with one output per class.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../util/errors.js';
import { nearest } from '../util/nearest.js';
import {
  ACTIVATIONS,
  layerShapes,
  type ActivationKind,
  type Architecture,
  type LayerSpec,
  type OutputKind,
  type Shape3,
} from './architecture.js';
import { mlp, mlpInput, PRESETS } from './presets.js';
import { notFoundMessage } from '../util/missing-file.js';

const positive = z.number().int().min(1);

const LayerSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('conv'),
      name: z.string().min(1),
      inChannels: positive.optional(),
      outChannels: positive,
      kernel: positive,
      padding: z.number().int().min(0).optional(),
      stride: positive.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('dense'),
      name: z.string().min(1),
      inFeatures: positive.optional(),
      outFeatures: positive.optional(),
    })
    .strict(),
  z.object({ kind: z.enum(['tanh', 'relu', 'sigmoid', 'avgpool', 'maxpool']) }).strict(),
  z.object({ kind: z.literal('dropout'), p: z.number().min(0).lt(1) }).strict(),
]);

const SpecSchema = z
  .object({
    input: z.tuple([positive, positive, positive]).optional(),
    output: z.enum(['softmax', 'sigmoid']).optional(),
    layers: z.array(LayerSchema).min(1),
  })
  .strict();

export interface ArchitectureRequest {
  /** Classes of the data (the last layer's outputs); unknown before the data is loaded. */
  classes?: number;
  output?: OutputKind;
  /** --input and --channels, when given. */
  input?: { height?: number; width?: number; channels?: number };
}

const KINDS = 'conv, dense, tanh, relu, sigmoid, avgpool, maxpool, dropout';

/** The fields each layer kind takes, read from the schema. */
const LAYER_FIELDS = new Map<string, string[]>();
for (const option of LayerSchema.options) {
  const kind = option.shape.kind;
  const kinds = kind instanceof z.ZodLiteral ? [...kind.values] : kind.options;
  for (const name of kinds) LAYER_FIELDS.set(String(name), Object.keys(option.shape));
}
const TOP_FIELDS = Object.keys(SpecSchema.shape);
/** Names other tools give these fields (Keras, PyTorch's keyword arguments), for a hint. */
const OTHER_NAMES: Record<string, string> = {
  units: 'outFeatures',
  out_features: 'outFeatures',
  in_features: 'inFeatures',
  filters: 'outChannels',
  out_channels: 'outChannels',
  in_channels: 'inChannels',
  kernel_size: 'kernel',
  kernelSize: 'kernel',
  strides: 'stride',
  rate: 'p',
  type: 'kind',
};

/** "unknown field X" with the fields that belong there and the one probably meant. */
function unknownField(key: string, json: unknown, path: PropertyKey[]): string {
  const layer = path.length === 2 ? (json as { layers?: { kind?: unknown }[] }).layers : null;
  const kind = layer?.[Number(path[1])]?.kind;
  const fields = path.length === 0 ? TOP_FIELDS : (LAYER_FIELDS.get(String(kind)) ?? ['kind']);
  const meant = OTHER_NAMES[key] ?? nearest(key, fields);
  const owner = path.length === 0 ? 'a spec' : `a ${String(kind)} layer`;
  const hint = meant && fields.includes(meant) ? ` (did you mean "${meant}"?)` : '';
  return `unknown field "${key}"${hint}; ${owner} takes ${fields.join(', ')}`;
}

/** For a kind other tools have and prunelab does without: what to write instead. */
function kindHint(json: unknown, path: PropertyKey[]): string {
  const layers = (json as { layers?: { kind?: unknown }[] }).layers;
  const given = layers?.[Number(path[1])]?.kind;
  const kind = typeof given === 'string' ? given.toLowerCase() : '';
  if (kind === 'flatten') return ' (a dense layer flattens its input: leave flatten out)';
  if (kind === 'linear') return ' (a linear layer is "dense")';
  if (kind.startsWith('conv')) return ' (a convolution is "conv")';
  return '';
}

/** One line for a zod failure: the field's path and what is wrong. */
function specError(file: string, err: z.ZodError, json: unknown): ConfigError {
  // a misspelt field is also a missing one: name the misspelling, the cause
  const issue = err.issues.find((i) => i.code === 'unrecognized_keys') ?? err.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const where = path ? `field ${path.replace(/^\./, '')}` : 'the file';
  let detail = issue.message;
  if (issue.path[0] === 'input') {
    detail = 'expected [channels, height, width] of positive integers, e.g. [1, 32, 32]';
  } else if (issue.code === 'invalid_union' && issue.path.at(-1) !== undefined) {
    detail = `unknown layer kind; use one of ${KINDS}${kindHint(json, issue.path)}`;
  } else if (issue.code === 'unrecognized_keys') {
    detail = unknownField(issue.keys[0], json, issue.path);
  }
  return new ConfigError(`architecture file ${file}: ${where}: ${detail}`);
}

/** Fills in each layer's input size from the one before (checking those given) and the classes. */
function chain(
  spec: z.infer<typeof SpecSchema>,
  input: Shape3,
  req: ArchitectureRequest,
): LayerSpec[] {
  let [c, h, w] = input;
  return spec.layers.map((l, i) => {
    const last = i === spec.layers.length - 1;
    if (l.kind === 'conv') {
      const layer = { ...l, inChannels: l.inChannels ?? c };
      c = l.outChannels;
      const pad = l.padding ?? 0,
        stride = l.stride ?? 1;
      h = Math.floor((h + 2 * pad - l.kernel) / stride) + 1;
      w = Math.floor((w + 2 * pad - l.kernel) / stride) + 1;
      return layer;
    }
    if (l.kind === 'dense') {
      const outFeatures = l.outFeatures ?? (last ? (req.classes ?? 10) : 0);
      if (!outFeatures)
        throw new ConfigError(
          `dense layer ${l.name}: give its outFeatures (only the last may omit it)`,
        );
      const layer = { ...l, inFeatures: l.inFeatures ?? c * h * w, outFeatures };
      c = outFeatures;
      h = 1;
      w = 1;
      return layer;
    }
    if (l.kind === 'avgpool' || l.kind === 'maxpool') {
      h >>= 1;
      w >>= 1;
    }
    return l;
  });
}

/** Checks what every architecture must be: unique names, sizes that chain, a dense output layer. */
export function checkArchitecture(
  arch: Architecture,
  classes: number | undefined,
  source: string,
  /** What to change when the classes do not match. */
  classesFix = 'leave out its outFeatures (one output per class)',
): void {
  const names = arch.layers.flatMap((l) => ('name' in l ? [l.name] : []));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice)
    throw new ConfigError(`${source}: two layers are named ${twice}; give each its own name`);
  try {
    layerShapes(arch);
  } catch (e) {
    throw new ConfigError(`${source}: ${(e as Error).message}`);
  }
  const last = arch.layers.at(-1);
  if (last?.kind !== 'dense')
    throw new ConfigError(`${source}: the last layer must be a dense layer (the class scores)`);
  if (classes !== undefined && last.outFeatures !== classes)
    throw new ConfigError(
      `${source}: the last layer ${last.name} has ${last.outFeatures} outputs but the data has ` +
        `${classes} classes; ${classesFix}`,
    );
}

function readSpecFile(file: string, req: ArchitectureRequest): Architecture {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`architecture file ${file} is not JSON (${(e as Error).message})`);
  }
  const parsed = SpecSchema.safeParse(json);
  if (!parsed.success) throw specError(file, parsed.error, json);
  const spec = parsed.data;
  const given = req.input;
  const input: Shape3 | undefined = spec.input
    ? [
        given?.channels ?? spec.input[0],
        given?.height ?? spec.input[1],
        given?.width ?? spec.input[2],
      ]
    : given?.height
      ? [given.channels ?? 1, given.height, given.width ?? given.height]
      : undefined;
  if (!input)
    throw new ConfigError(
      `architecture file ${file}: give the input shape as "input": [channels, height, width] ` +
        '(or --input and --channels)',
    );
  return { input, output: req.output ?? spec.output ?? 'softmax', layers: chain(spec, input, req) };
}

function parseMlp(text: string, req: ArchitectureRequest): Architecture {
  const [, sizesText = '', act = 'relu', ...rest] = text.split(':');
  const sizes = sizesText.split('-').map(Number);
  if (rest.length || sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new ConfigError(
      `--arch ${text}: write an MLP as mlp:IN-HIDDEN-...-OUT[:relu|tanh|sigmoid], ` +
        'e.g. mlp:784-300-100-10:relu',
    );
  if (!ACTIVATIONS.includes(act as ActivationKind))
    throw new ConfigError(`--arch ${text}: unknown activation "${act}"; use relu, tanh or sigmoid`);
  const g = req.input;
  const input: Shape3 | null = g?.height
    ? [g.channels ?? 1, g.height, g.width ?? g.height]
    : mlpInput(sizes[0]);
  if (!input)
    throw new ConfigError(
      `--arch ${text}: say which images ${sizes[0]} inputs are with --input and --channels`,
    );
  return mlp(sizes, act as ActivationKind, input, req.output);
}

function fromPreset(name: string, req: ArchitectureRequest): Architecture {
  const g = req.input;
  const follows = name === 'lenet5' || name === 'lenet5-relu';
  const classes = req.classes ?? 10;
  const own = PRESETS[name].build({ classes, output: req.output });
  const [, ownHeight, ownWidth] = own.input;
  const height = g?.height ?? ownHeight,
    width = g?.width ?? g?.height ?? ownWidth;
  if (!follows && (height !== ownHeight || width !== ownWidth))
    throw new ConfigError(
      `--arch ${name} takes ${ownHeight}x${ownWidth} images; leave out --input or ` +
        'choose lenet5 or lenet5-relu, whose input follows --input',
    );
  const channels = g?.channels ?? own.input[0];
  const arch = follows
    ? PRESETS[name].build({ classes, output: req.output, input: [channels, height, width] })
    : own;
  if (channels === arch.input[0]) return arch;
  const first = arch.layers[0];
  if (first.kind !== 'conv')
    throw new ConfigError(
      `--arch ${name} reads ${arch.input[0]}-channel images; leave out --channels`,
    );
  return {
    ...arch,
    input: [channels, arch.input[1], arch.input[2]],
    layers: [{ ...first, inChannels: channels }, ...arch.layers.slice(1)],
  };
}

/** The architecture `--arch` names (default: the paper's LeNet-5), checked. */
export function resolveArchitecture(
  spec: string | undefined,
  req: ArchitectureRequest,
): Architecture {
  const name = spec ?? 'lenet5';
  let arch: Architecture;
  if (name in PRESETS) arch = fromPreset(name, req);
  else if (name.startsWith('mlp:')) arch = parseMlp(name, req);
  else if (name.endsWith('.json') || existsSync(name)) {
    if (!existsSync(name)) throw new ConfigError(notFoundMessage('architecture file', name));
    arch = readSpecFile(name, req);
  } else {
    const guess = nearest(name, Object.keys(PRESETS));
    throw new ConfigError(
      `unknown architecture "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; choose one of ` +
        `${Object.keys(PRESETS).join(', ')}, mlp:784-300-100-10:relu, or a JSON spec file`,
    );
  }
  const classesFix = name.startsWith('mlp:') ? `end its sizes with ${req.classes}` : undefined;
  checkArchitecture(arch, req.classes, spec ? `--arch ${name}` : 'the network', classesFix);
  return arch;
}
