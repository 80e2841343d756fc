// VehicleX, in the layouts it circulates in (see ../shared/DATASETS.md): the classification
// release (train/ val/ test/ image folders, possibly under "Classification Task/", with one
// finegrained_label.xml), its feature variant (.npy files: refused with an explanation), and the
// re-identification release (an image folder such as sys_image_train/ with train_label.xml, no
// split). Labels come from the XML (any declared encoding; the content is read as ASCII/UTF-8),
// or from file names {vehicleID}_c{cameraID}_{n}.jpg when there is none. Selected vehicle IDs
// become classes 0..C-1 in ID order; every sample keeps its attributes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DataError } from '../util/errors.js';
import type { ImageRecord } from './images.js';
import { imagesIn, requireDir, type ImageSource } from './folder.js';

export interface VehicleSelection {
  ids?: string;
  firstIds?: number;
  featuresAsImages?: boolean;
}

/** Parses "1-10", "1,2,5" or "3-5,9" into sorted unique IDs. */
export function parseIds(spec: string): number[] {
  const ids = new Set<number>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new DataError(`--ids: "${part}" is not an ID or a range like 1-10`);
    const a = Number(m[1]),
      b = m[2] ? Number(m[2]) : a;
    if (b < a) throw new DataError(`--ids: range ${part} runs backwards`);
    for (let i = a; i <= b; i++) ids.add(i);
  }
  if (!ids.size) throw new DataError('--ids is empty');
  return [...ids].sort((x, y) => x - y);
}

/** A VehicleX label file as the XML parser gives it: one Item, or several, of attributes. */
interface LabelRoot {
  Items?: { Item?: Record<string, string> | Record<string, string>[] };
}

export function readLabelXml(file: string): Map<string, Record<string, string>> {
  // the declared encoding (often gb2312) is ignored: the content is ASCII
  const text = readFileSync(file)
    .toString('latin1')
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[^>]*\?>/, '');
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new DataError(
      `label file ${file} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`,
    );
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
  }).parse(text) as Record<string, LabelRoot | undefined>;
  const root = doc[Object.keys(doc)[0]];
  const found = root?.Items?.Item;
  if (!found) {
    throw new DataError(
      `label file ${file} has no Items/Item elements ` +
        '(expected <Items><Item imageName=... vehicleID=... /></Items>)',
    );
  }
  const items = Array.isArray(found) ? found : [found];
  const out = new Map<string, Record<string, string>>();
  for (const it of items) {
    if (!it.imageName || !it.vehicleID)
      throw new DataError(`label file ${file}: an Item lacks imageName or vehicleID`);
    out.set(it.imageName, it);
  }
  return out;
}

function idFromName(name: string): { vehicleID: string; cameraID: string } | null {
  const m = /^(\d+)_(c?\d+)_/.exec(name);
  return m ? { vehicleID: m[1], cameraID: m[2] } : null;
}

const dirsOf = (d: string) =>
  existsSync(d)
    ? readdirSync(d, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];

export function scanVehicleX(dirArg: string | undefined, sel: VehicleSelection): ImageSource {
  let dir = requireDir(dirArg, '--dataset vehicle-x');
  if (dirsOf(dir).includes('Classification Task')) dir = join(dir, 'Classification Task');
  const subs = dirsOf(dir);
  const splitDirs = (['train', 'val', 'test'] as const).filter((s) => subs.includes(s));
  const xmls = (d: string) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((f) => /\.xml$/i.test(f))
          .map((f) => join(d, f))
      : [];
  let folders: { split?: 'train' | 'val' | 'test'; path: string }[];
  let layout: string;
  let features = false;
  const listed = (d: string) =>
    features
      ? readdirSync(d)
          .filter((f) => f.endsWith('.npy'))
          .sort()
      : imagesIn(d);
  if (splitDirs.includes('train')) {
    folders = splitDirs.map((s) => ({ split: s, path: join(dir, s) }));
    features = readdirSync(join(dir, 'train')).some((f) => f.endsWith('.npy'));
    if (features && !sel.featuresAsImages)
      throw new DataError(
        `${dir} is the VehicleX feature release: its train/ val/ test/ folders hold ` +
          `2048-value ResNet feature vectors (.npy), not images. LeNet-5 needs images; point ` +
          `--data at the image release (the "Classification Task" folder of JPEGs), or pass ` +
          `--features-as-images to reshape each vector to a 1x32x64 input (not the paper's ` +
          `setting)`,
      );
    layout = features
      ? 'classification release, features reshaped to 1x32x64'
      : 'classification release (train/val/test)';
  } else {
    const imageDirs = subs.filter((s) => imagesIn(join(dir, s)).length > 0);
    folders = imagesIn(dir).length
      ? [{ path: dir }]
      : imageDirs.map((s) => ({ path: join(dir, s) }));
    if (!folders.length)
      throw new DataError(
        `${dir} holds no VehicleX images: expected train/ val/ test/ folders, an image ` +
          `folder such as sys_image_train/, or the images themselves`,
      );
    layout = 're-identification release (no split)';
  }
  const xmlFiles = [...xmls(dir), ...xmls(dirname(dir))].filter((f) => /label/i.test(basename(f)));
  const labels = new Map<string, Record<string, string>>();
  for (const f of xmlFiles) for (const [k, v] of readLabelXml(f)) labels.set(k, v);
  const all: {
    file: string;
    name: string;
    split?: 'train' | 'val' | 'test';
    attrs: Record<string, string>;
  }[] = [];
  let unlabeled = 0;
  for (const f of folders)
    for (const name of listed(f.path)) {
      // the feature release names its vectors after the images: 0001_c001_33.npy for
      // 0001_c001_33.jpg
      const key = features ? name.replace(/\.npy$/, '.jpg') : name;
      const attrs = labels.size
        ? (labels.get(key) ?? labels.get(name))
        : (idFromName(name) ?? undefined);
      if (!attrs) {
        unlabeled++;
        continue;
      }
      all.push({ file: join(f.path, name), name: key, split: f.split, attrs: { ...attrs } });
    }
  if (!all.length)
    throw new DataError(
      `${dir}: no image could be labelled (` +
        (labels.size
          ? 'none is named in the label XML'
          : 'names do not follow {vehicleID}_c{cameraID}_{n}.jpg and there is no label XML') +
        ')',
    );
  const present = [...new Set(all.map((a) => Number(a.attrs.vehicleID)))].sort((a, b) => a - b);
  let ids: number[];
  if (sel.ids) {
    ids = parseIds(sel.ids);
    const missing = ids.filter((i) => !present.includes(i));
    if (missing.length)
      throw new DataError(
        `vehicle ID${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in ` +
          `${dir}; it holds ${present.length} IDs: ${rangeText(present)}`,
      );
  } else ids = present.slice(0, sel.firstIds ?? 10);
  if (ids.length < 2)
    throw new DataError(
      `only ${ids.length} vehicle ID selected; a classifier needs at least two (--ids, ` +
        `--first-ids)`,
    );
  const classOf = new Map(ids.map((id, c) => [id, c]));
  const records: ImageRecord[] = all
    .filter((a) => classOf.has(Number(a.attrs.vehicleID)))
    .map((a) => ({
      file: a.file,
      label: classOf.get(Number(a.attrs.vehicleID))!,
      split: a.split,
      attrs: a.attrs,
    }));
  // the label file must not promise images that are not there (for the selected IDs)
  if (labels.size) {
    const seen = new Set(all.map((a) => a.name));
    const lost = [...labels.values()].filter(
      (v) => classOf.has(Number(v.vehicleID)) && !seen.has(v.imageName),
    );
    if (lost.length)
      throw new DataError(
        `the label XML names ${lost.length} image(s) of the selected IDs that are not in the ` +
          `image folders, e.g. ${lost[0].imageName}; the copy of VehicleX looks incomplete`,
      );
  }
  return {
    name: 'vehicle-x',
    classes: ids.map((id) => `ID ${id}`),
    records,
    source:
      `VehicleX ${layout} in ` +
      `${dir}${xmlFiles.length ? ` with ${xmlFiles.map((f) => basename(f)).join(', ')}` : ' (labels from file names)'}`,
    split: splitDirs.includes('train') && splitDirs.length > 1,
    features,
    info: {
      layout,
      idsAvailable: present.length,
      unlabeledImages: unlabeled,
      names: readNameTables(dir),
    },
  };
}

function readNameTables(dir: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [key, file] of [
    ['colorID', 'list_color.txt'],
    ['typeID', 'list_type.txt'],
  ] as const) {
    for (const d of [dir, dirname(dir)]) {
      const p = join(d, file);
      if (!existsSync(p)) continue;
      out[key] = Object.fromEntries(
        readFileSync(p, 'latin1')
          .split(/\r?\n/)
          .map((l) => l.trim().split(/\s+/))
          .filter((a) => a.length >= 2)
          .map(([id, ...n]) => [String(Number(id)), n.join(' ')]),
      );
      break;
    }
  }
  return out;
}

function rangeText(ids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(i === j ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.length > 12 ? parts.slice(0, 12).join(', ') + ', ...' : parts.join(', ');
}
