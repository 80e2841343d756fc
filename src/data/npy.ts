// Reads NumPy .npy files of float32 or float64 values (little-endian, C order), as the VehicleX
// feature release ships them. Small and exact; no library on npm does only this well.
import { readFileSync } from 'node:fs';
import { DataError } from '../util/errors.js';

export function readNpy(file: string): { data: Float32Array; shape: number[] } {
  const b = readFileSync(file);
  if (b.length < 10 || b.subarray(0, 6).toString('latin1') !== '\x93NUMPY')
    throw new DataError(`${file} is not a .npy file`);
  const major = b[6],
    hl = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8),
    start = major === 1 ? 10 : 12;
  const header = b.subarray(start, start + hl).toString('latin1');
  const descr = /'descr':\s*'([<|]?)(f4|f8)'/.exec(header);
  if (!descr)
    throw new DataError(
      `${file}: only little-endian float32/float64 .npy files are read (header ${header.trim()})`,
    );
  if (/'fortran_order':\s*True/.test(header))
    throw new DataError(`${file}: Fortran-ordered arrays are not supported`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, c) => a * c, 1),
    off = start + hl,
    bytes = descr[2] === 'f4' ? 4 : 8;
  if (b.length < off + n * bytes) throw new DataError(`${file} is truncated`);
  const raw = b.buffer.slice(b.byteOffset + off, b.byteOffset + off + n * bytes);
  return {
    data: bytes === 4 ? new Float32Array(raw) : Float32Array.from(new Float64Array(raw)),
    shape,
  };
}
