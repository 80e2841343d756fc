// The data shapes every source produces and every consumer takes.

/** Raw images of one source, before splitting: uint8 grayscale, [n, height, width]. */
export interface RawImages {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  /** The 32x32 RGB images the gray ones came from (image datasets), for augmentation. */
  rgb?: Uint8Array;
  /**
   * Real-valued inputs instead of images (VehicleX features reshaped, see vehicle-x.ts): [n,
   * height, width].
   */
  values?: Float32Array;
}

/** What a source yields: a pool to split, or a published split (train/test) to respect. */
export interface RawDataset {
  name: string;
  classes: string[];
  pool?: RawImages;
  published?: { train: RawImages; test: RawImages; val?: RawImages };
  /** Human-readable provenance (package and version, folder). */
  source: string;
  /** How the files were decoded to these images, when that changed them (resizing, grayscale). */
  decoding?: string;
  /**
   * Facts about the source for the `data` command (layout, attributes per image, skipped files).
   */
  info?: Record<string, unknown>;
  attrs?: Record<string, string>[];
}

/** One split ready for the network: float32 [n, channels, height, width], standardised. */
export interface Split {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

export interface PreparedData {
  name: string;
  classes: string[];
  inputShape: [number, number, number];
  train: Split;
  val: Split;
  test: Split;
  /** Per channel: what was subtracted from pixels in [0, 1], and what they were divided by. */
  mean: number[];
  std: number[];
  source: string;
  /** How an image is brought to the network's input, in words: a model's users need it. */
  preprocessing: string;
  /** Colour training images (image datasets), the input of augmentation. */
  trainRgb?: Uint8Array;
  info?: Record<string, unknown>;
}
