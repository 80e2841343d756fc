// Real image data from disk: image folders and the VehicleX layouts, built here as small fixtures
// of real JPEG/PNG/WebP files written by sharp, and every kind of bad input the issue lists.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/util/progress.js';
import { loadData } from '../../src/data/index.js';
import { augmentSplit } from '../../src/data/augment.js';
import { parseIds } from '../../src/data/vehicle-x.js';
import { parseTrainConfig } from '../../src/config.js';
import { runTrain } from '../../src/train/run.js';

const root = mkdtempSync(join(tmpdir(), 'prunelab img ü-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
process.env.PRUNELAB_CACHE = join(root, 'cache');
const COLORS: [number, number, number][] = [
  [210, 40, 40],
  [40, 40, 210],
  [40, 190, 60],
];

async function image(
  file: string,
  i: number,
  c: number,
  kind: 'jpg' | 'png' | 'webp' | 'gray' | 'rgba' | 'png16',
) {
  const [r, g, b] = COLORS[c];
  const w = 40 + (i % 4) * 9,
    h = 28 + (i % 3) * 11;
  let img = sharp({
    create: { width: w, height: h, channels: 3, background: { r, g, b } },
  }).composite([
    {
      input: Buffer.from(
        `<svg width="${w}" height="${h}"><rect x="${i % 9}" y="${(c * 7) % 20}" width="14" height="6" fill="white"/></svg>`,
      ),
    },
  ]);
  if (kind === 'gray') img = sharp(await img.png().toBuffer()).grayscale();
  if (kind === 'rgba') img = sharp(await img.png().toBuffer()).ensureAlpha(0.8);
  if (kind === 'png16') img = sharp(await img.png().toBuffer()).toColourspace('rgb16');
  const out = kind === 'jpg' ? img.jpeg() : kind === 'webp' ? img.webp() : img.png();
  await out.toFile(file);
}
const KINDS = ['jpg', 'png', 'webp', 'gray', 'rgba', 'png16'] as const;

const folder = join(root, 'my cars');
const vx = join(root, 'VehicleX', 'Classification Task');
const reid = join(root, 'reid');
const cfg = (o: Record<string, unknown>) => parseTrainConfig({ valSize: 6, testSize: 6, ...o });

beforeAll(async () => {
  for (const [c, name] of ['rot', 'blau', 'grün <b>'].entries()) {
    mkdirSync(join(folder, name), { recursive: true });
    for (let i = 0; i < 24; i++)
      await image(
        join(
          folder,
          name,
          `bild ${i}.${KINDS[i % 6] === 'jpg' ? 'jpg' : KINDS[i % 6] === 'webp' ? 'webp' : 'png'}`,
        ),
        i,
        c,
        KINDS[i % 6],
      );
  }
  // VehicleX classification release: 4 IDs, train/val/test, one XML with a gb2312 header
  const items: string[] = [];
  for (const split of ['train', 'val', 'test']) mkdirSync(join(vx, split), { recursive: true });
  for (let id = 1; id <= 4; id++)
    for (let n = 0; n < 14; n++) {
      const split = n < 8 ? 'train' : n < 11 ? 'val' : 'test';
      const name = `${String(id).padStart(4, '0')}_c00${(n % 3) + 1}_${n}.jpg`;
      await image(join(vx, split, name), n, (id - 1) % 3, 'jpg');
      items.push(
        `<Item imageName="${name}" vehicleID="${String(id).padStart(4, '0')}" cameraID="c00${(n % 3) + 1}" colorID="${id}" typeID="${(id % 2) + 1}" />`,
      );
    }
  writeFileSync(
    join(vx, '..', 'finegrained_label.xml'),
    `<?xml version="1.0" encoding="gb2312"?>\n<TrainingImages Version="1.0">\n<Items number="${items.length}">\n${items.join('\n')}\n</Items>\n</TrainingImages>\n`,
  );
  writeFileSync(join(vx, '..', 'list_color.txt'), '1 yellow\n2 orange\n3 green\n4 gray\n');
  // re-identification release: an image folder and train_label.xml, no split
  mkdirSync(join(reid, 'sys_image_train'), { recursive: true });
  const ritems: string[] = [];
  for (let id = 5; id <= 7; id++)
    for (let n = 0; n < 10; n++) {
      const name = `${String(id).padStart(4, '0')}_c001_${n}.jpg`;
      await image(join(reid, 'sys_image_train', name), n, id % 3, 'jpg');
      ritems.push(
        `<Item imageName="${name}" vehicleID="${String(id).padStart(4, '0')}" cameraID="c001" colorID="1" typeID="1" orientation="90.0" lightInt="1.2" />`,
      );
    }
  writeFileSync(
    join(reid, 'train_label.xml'),
    `<?xml version="1.0" encoding="gb2312"?><TrainingImages><Items>${ritems.join('')}</Items></TrainingImages>`,
  );
}, 60_000);

describe('image folders', () => {
  it('reads JPEG, PNG, WebP, grayscale, RGBA and 16-bit PNG of mixed sizes, in paths with spaces and non-ASCII', async () => {
    const d = await loadData({ ...cfg({ dataset: 'folder', data: folder }), seed: 1 });
    expect(d.classes).toEqual(['blau', 'grün <b>', 'rot']);
    expect(d.train.n + d.val.n + d.test.n).toBe(72);
    expect(d.trainRgb!.length).toBe(d.train.n * 3072);
    // standardised with the training set's statistics
    let s = 0;
    for (const v of d.train.x) s += v;
    expect(Math.abs(s / d.train.x.length)).toBeLessThan(1e-3);
  });

  it('trains to high accuracy on the fixture with augmentation on', async () => {
    const r = await runTrain(
      cfg({ dataset: 'folder', data: folder, epochs: 25, lr: 0.05, threads: 1 }),
      silentProgress,
    );
    expect(r.valAccuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('augments training images afresh each epoch, reproducibly from the seed', async () => {
    const d = await loadData({ ...cfg({ dataset: 'folder', data: folder }), seed: 1 });
    const a = { flip: 0.5, rotation: 10, brightness: 0.2, contrast: 0.2, saturation: 0.2 };
    const shape = { channels: 1, height: 32, width: 32 };
    const e1 = augmentSplit(d.trainRgb!, d.train.n, a, shape, d.mean, d.std, 1, [0], 1);
    expect(augmentSplit(d.trainRgb!, d.train.n, a, shape, d.mean, d.std, 1, [0], 1)).toEqual(e1);
    expect(augmentSplit(d.trainRgb!, d.train.n, a, shape, d.mean, d.std, 1, [0], 2)).not.toEqual(
      e1,
    );
    const none = augmentSplit(
      d.trainRgb!,
      d.train.n,
      { flip: 0, rotation: 0, brightness: 0, contrast: 0, saturation: 0 },
      shape,
      d.mean,
      d.std,
      1,
      [0],
      1,
    );
    let worst = 0;
    for (let i = 0; i < none.length; i++) worst = Math.max(worst, Math.abs(none[i] - d.train.x[i]));
    // without jitter it is the plain grayscale image (up to rounding)
    expect(worst).toBeLessThan(0.02);
  });

  it('keeps colour for a 3-channel network, at its input size, standardised per channel', async () => {
    const d = await loadData({
      ...cfg({ dataset: 'folder', data: folder }),
      seed: 1,
      inputShape: [3, 28, 24],
    });
    expect(d.inputShape).toEqual([3, 28, 24]);
    expect(d.mean).toHaveLength(3);
    expect(d.preprocessing).toMatch(/resized to 24x28 .*kept in colour/);
    // the red, blue and green classes: each channel's mean tells them apart
    const P = 28 * 24;
    const channelMeans = (k: number) =>
      [0, 1, 2].map((c) => {
        let sum = 0;
        for (let p = 0; p < P; p++) sum += d.train.x[(k * 3 + c) * P + p] * d.std[c] + d.mean[c];
        return sum / P;
      });
    const channelOf: Record<string, number> = { rot: 0, 'grün <b>': 1, blau: 2 };
    let colourful = 0;
    for (let k = 0; k < d.train.n; k++) {
      const means = channelMeans(k);
      // (a sixth of the files were saved in grayscale: their channels are equal)
      if (Math.max(...means) - Math.min(...means) < 0.1) continue;
      colourful++;
      const dominant = means.indexOf(Math.max(...means));
      expect(dominant).toBe(channelOf[d.classes[d.train.y[k]]]);
    }
    expect(colourful).toBeGreaterThan(d.train.n / 2);
    // augmentation without jitter gives the prepared colour planes back
    const none = augmentSplit(
      d.trainRgb!,
      d.train.n,
      { flip: 0, rotation: 0, brightness: 0, contrast: 0, saturation: 0 },
      { channels: 3, height: 28, width: 24 },
      d.mean,
      d.std,
      1,
      [0],
      1,
    );
    let worst = 0;
    for (let i = 0; i < none.length; i++) worst = Math.max(worst, Math.abs(none[i] - d.train.x[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('trains a colour network from the CLI, and refuses colour on a grayscale set', () => {
    const out = join(root, 'colour-run');
    const r = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', '..', 'bin', 'prunelab.js'),
        'train',
        '--dataset',
        'folder',
        '--data',
        folder,
        '--channels',
        '3',
        '--arch',
        'lenet5-relu',
        '--val-size',
        '6',
        '--test-size',
        '6',
        '--epochs',
        '2',
        '--out',
        out,
        '--quiet',
      ],
      { encoding: 'utf8', env: { ...process.env } },
    );
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      config: { channels: number };
    };
    expect(results.config.channels).toBe(3);
    const predicted = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', '..', 'bin', 'prunelab.js'),
        'predict',
        join(out, 'model.safetensors'),
        join(folder, 'rot', 'bild 0.jpg'),
        '--log-json',
      ],
      { encoding: 'utf8' },
    );
    expect(predicted.status, predicted.stderr).toBe(0);
    expect(predicted.stdout).toMatch(/"probability"/);
    const gray = spawnSync(
      process.execPath,
      [join(__dirname, '..', '..', 'bin', 'prunelab.js'), 'train', '--channels', '3'],
      { encoding: 'utf8' },
    );
    expect(gray.status).toBe(2);
    expect(gray.stderr).toMatch(/fashion-mnist is grayscale; --channels 3 needs colour images/);
  });

  it('names a missing folder, an empty class and a class too small for the split', async () => {
    // a folder given without saying what it holds is not silently dropped for the bundled set
    await expect(loadData({ ...cfg({ data: folder }), seed: 1 })).rejects.toThrow(
      /--data .* is not read by --dataset fashion-mnist \(bundled with prunelab\); say what the folder holds: --dataset folder/,
    );
    await expect(
      loadData({ ...cfg({ dataset: 'folder', data: join(root, 'nope') }), seed: 1 }),
    ).rejects.toThrow(/does not exist; check the path given to --data/);
    const bad = join(root, 'bad');
    mkdirSync(join(bad, 'a'), { recursive: true });
    mkdirSync(join(bad, 'b'), { recursive: true });
    copyFileSync(join(folder, 'rot', 'bild 0.jpg'), join(bad, 'a', 'x.jpg'));
    await expect(loadData({ ...cfg({ dataset: 'folder', data: bad }), seed: 1 })).rejects.toThrow(
      /class folder ".*b" is empty/,
    );
    writeFileSync(join(bad, 'b', 'y.png'), Buffer.from('not a png'));
    await expect(loadData({ ...cfg({ dataset: 'folder', data: bad }), seed: 1 })).rejects.toThrow(
      /image .*y\.png is corrupt.*--skip-bad-images/,
    );
    copyFileSync(join(folder, 'rot', 'bild 1.png'), join(bad, 'b', 'z.png'));
    await expect(
      loadData({
        ...cfg({ dataset: 'folder', data: bad, valSize: 1, testSize: 1, skipBadImages: true }),
        seed: 1,
      }),
    ).rejects.toThrow(/no training image of class|only \d+ are available/);
  });
});

describe('VehicleX', () => {
  it('reads the classification release with a gb2312-declared XML, keeping its split, selecting IDs', async () => {
    const d = await loadData({
      ...cfg({
        dataset: 'vehicle-x',
        data: join(root, 'VehicleX'),
        ids: '2-4',
        valSize: 1000,
        testSize: 1000,
      }),
      seed: 1,
      valSize: 0,
      testSize: 0,
    });
    expect(d.classes).toEqual(['ID 2', 'ID 3', 'ID 4']);
    expect([d.train.n, d.val.n, d.test.n]).toEqual([24, 9, 9]);
    expect(d.source).toMatch(/classification release.*finegrained_label\.xml/);
  });

  it('summarises a selection with class counts per split and attributes per class (prunelab data)', async () => {
    const { runDataSummary } = await import('../../src/report/data-summary.js');
    const out = join(root, 'data-summary');
    const sum = await runDataSummary(
      cfg({
        dataset: 'vehicle-x',
        data: join(root, 'VehicleX'),
        ids: '1-3',
        valSize: 0,
        testSize: 0,
      }),
      out,
    );
    expect(sum.data.classCounts).toEqual({ train: [8, 8, 8], val: [3, 3, 3], test: [3, 3, 3] });
    expect(sum.attributes.colorID).toEqual({
      'ID 1': { yellow: 14 },
      'ID 2': { orange: 14 },
      'ID 3': { green: 14 },
    });
    expect(sum.attributes.cameraID['ID 1']).toEqual({ c001: 5, c002: 5, c003: 4 });
    const meta = await sharp(join(out, 'figures', 'classes.png')).metadata();
    expect(meta.width).toBeGreaterThan(400);
  });

  it('reads the re-identification release and makes a stratified split; names come from the XML', async () => {
    const d = await loadData({
      ...cfg({ dataset: 'vehicle-x', data: reid, valSize: 3, testSize: 6 }),
      seed: 1,
    });
    expect(d.classes).toEqual(['ID 5', 'ID 6', 'ID 7']);
    expect(d.train.n).toBe(21);
    expect(Array.from(d.test.y).sort()).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('falls back to labels from file names when there is no XML', async () => {
    const copy = join(root, 'noxml');
    mkdirSync(copy);
    for (let n = 0; n < 6; n++)
      for (const id of ['0005', '0006'])
        copyFileSync(
          join(reid, 'sys_image_train', `${id}_c001_${n}.jpg`),
          join(copy, `${id}_c001_${n}.jpg`),
        );
    const d = await loadData({
      ...cfg({ dataset: 'vehicle-x', data: copy, valSize: 2, testSize: 2 }),
      seed: 1,
    });
    expect(d.classes).toEqual(['ID 5', 'ID 6']);
  });

  it('says which IDs exist when an unknown one is asked for; parses ID lists', async () => {
    await expect(
      loadData({
        ...cfg({ dataset: 'vehicle-x', data: join(root, 'VehicleX'), ids: '3,9' }),
        seed: 1,
      }),
    ).rejects.toThrow(/vehicle ID 9 not found .* holds 4 IDs: 1-4/);
    expect(parseIds('1-3,7')).toEqual([1, 2, 3, 7]);
    expect(() => parseIds('x')).toThrow(/not an ID or a range/);
  });

  it('rejects a malformed XML, an XML naming missing images, and the feature (.npy) release', async () => {
    const m = join(root, 'malformed');
    mkdirSync(join(m, 'imgs'), { recursive: true });
    copyFileSync(
      join(reid, 'sys_image_train', '0005_c001_0.jpg'),
      join(m, 'imgs', '0005_c001_0.jpg'),
    );
    writeFileSync(
      join(m, 'train_label.xml'),
      '<?xml version="1.0" encoding="gb2312"?><TrainingImages><Items><Item imageName="a.jpg" vehicleID="0001"></Items>',
    );
    await expect(loadData({ ...cfg({ dataset: 'vehicle-x', data: m }), seed: 1 })).rejects.toThrow(
      /train_label\.xml is not well-formed XML \(line/,
    );
    const lost = join(root, 'lost');
    mkdirSync(lost);
    for (let n = 0; n < 8; n++)
      copyFileSync(
        join(reid, 'sys_image_train', `0005_c001_${n}.jpg`),
        join(lost, `0005_c001_${n}.jpg`),
      );
    for (let n = 0; n < 8; n++)
      copyFileSync(
        join(reid, 'sys_image_train', `0006_c001_${n}.jpg`),
        join(lost, `0006_c001_${n}.jpg`),
      );
    copyFileSync(join(reid, 'train_label.xml'), join(lost, 'train_label.xml'));
    await expect(
      loadData({ ...cfg({ dataset: 'vehicle-x', data: lost, ids: '5,6' }), seed: 1 }),
    ).rejects.toThrow(
      /label XML names 4 image\(s\) of the selected IDs that are not in the image folders, e\.g\. 0005_c001_8\.jpg/,
    );
    const npy = join(root, 'features');
    for (const s of ['train', 'val', 'test']) {
      mkdirSync(join(npy, s), { recursive: true });
      writeFileSync(join(npy, s, '0001_c001_1.npy'), Buffer.alloc(16));
    }
    await expect(
      loadData({ ...cfg({ dataset: 'vehicle-x', data: npy }), seed: 1 }),
    ).rejects.toThrow(/feature release.*\.npy.*not images/);
  });

  it('reshapes the feature release to 1x32x64 inputs only when asked, and trains on it', async () => {
    const fr = join(root, 'feat');
    const items: string[] = [];
    const npy = (values: Float32Array) => {
      let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2048,), }";
      while ((10 + header.length + 1) % 64) header += ' ';
      const h = Buffer.alloc(10);
      h.write('\x93NUMPY', 0, 'latin1');
      h[6] = 1;
      h[7] = 0;
      h.writeUInt16LE(header.length + 1, 8);
      return Buffer.concat([h, Buffer.from(header + '\n', 'latin1'), Buffer.from(values.buffer)]);
    };
    for (const s of ['train', 'val', 'test']) mkdirSync(join(fr, s), { recursive: true });
    for (let id = 1; id <= 2; id++)
      for (let n = 0; n < 10; n++) {
        const split = n < 6 ? 'train' : n < 8 ? 'val' : 'test',
          name = `000${id}_c001_${n}`;
        writeFileSync(
          join(fr, split, `${name}.npy`),
          npy(new Float32Array(2048).map((_, i) => Math.sin(i * id * 0.01) + n * 0.01)),
        );
        items.push(
          `<Item imageName="${name}.jpg" vehicleID="000${id}" cameraID="c001" colorID="1" typeID="1" />`,
        );
      }
    writeFileSync(
      join(fr, 'finegrained_label.xml'),
      `<?xml version="1.0" encoding="gb2312"?><TrainingImages><Items>${items.join('')}</Items></TrainingImages>`,
    );
    await expect(loadData({ ...cfg({ dataset: 'vehicle-x', data: fr }), seed: 1 })).rejects.toThrow(
      /feature release.*--features-as-images/,
    );
    const d = await loadData({
      ...cfg({ dataset: 'vehicle-x', data: fr, featuresAsImages: true, valSize: 0, testSize: 0 }),
      seed: 1,
    });
    expect(d.inputShape).toEqual([1, 32, 64]);
    expect([d.train.n, d.val.n, d.test.n]).toEqual([12, 4, 4]);
    const r = await runTrain(
      cfg({
        dataset: 'vehicle-x',
        data: fr,
        featuresAsImages: true,
        valSize: 0,
        testSize: 0,
        epochs: 10,
        threads: 1,
      }),
      silentProgress,
    );
    expect(r.parameters).toBe(156 + 2416 + (16 * 5 * 13 * 120 + 120) + 10164 + (84 * 2 + 2));
    expect(r.testAccuracy).toBe(1);
  });

  it('stops on a truncated JPEG with its name, or skips it with a count', async () => {
    const t = join(root, 'trunc');
    mkdirSync(t);
    for (let n = 0; n < 8; n++)
      for (const id of ['0005', '0006'])
        copyFileSync(
          join(reid, 'sys_image_train', `${id}_c001_${n}.jpg`),
          join(t, `${id}_c001_${n}.jpg`),
        );
    const full = sharp(join(reid, 'sys_image_train', '0005_c001_9.jpg'));
    const buf = await full.jpeg().toBuffer();
    writeFileSync(join(t, '0005_c001_9.jpg'), buf.subarray(0, buf.length >> 1));
    await expect(
      loadData({ ...cfg({ dataset: 'vehicle-x', data: t, valSize: 2, testSize: 2 }), seed: 1 }),
    ).rejects.toThrow(/0005_c001_9\.jpg is corrupt/);
    const d = await loadData({
      ...cfg({ dataset: 'vehicle-x', data: t, valSize: 2, testSize: 2, skipBadImages: true }),
      seed: 1,
    });
    expect(d.train.n + d.val.n + d.test.n).toBe(16);
    expect(d.info?.skippedImages).toHaveLength(1);
    // a study says so once (not once per worker thread) and records the file in results.json
    const out = join(root, 'trunc-study');
    const cli = join(__dirname, '..', '..', 'bin', 'prunelab.js');
    const flags = ['--dataset', 'vehicle-x', '--data', t, '--skip-bad-images', '--val-size', '2'];
    const rest = [
      '--test-size',
      '2',
      '--epochs',
      '1',
      '--max-pruned',
      '1',
      '--criterion',
      'random',
    ];
    const r = spawnSync(
      process.execPath,
      [cli, 'study', ...flags, ...rest, '--out', out, '--quiet'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/skipped 1 unreadable image/g)).toHaveLength(1);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      data: { skippedImages: { file: string }[] };
    };
    expect(results.data.skippedImages.map((s) => s.file)).toEqual([join(t, '0005_c001_9.jpg')]);
    rmSync(t, { recursive: true });
  });
});
