// Reading safetensors: a file of another kind is named for what it is (PyTorch's torch.save, zip
// or bare pickle) with what to do, while a real safetensors file whose header length happens to
// start with a pickle's bytes still reads; a damaged one says how.
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/safetensors.js';

const torchAdvice = /is a PyTorch checkpoint \(torch\.save\).*save_file\(model\.state_dict\(\)/;

describe('decodeSafetensors', () => {
  it("names PyTorch's torch.save files, zip and legacy pickle, with the way to convert them", () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60)]);
    expect(() => decodeSafetensors(zip, 'model.pt')).toThrow(torchAdvice);
    // protocol 2 pickle of torch's magic number (LONG1, 10 bytes), as torch.save wrote before 1.6
    const pickle = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a]);
    expect(() => decodeSafetensors(Buffer.concat([pickle, Buffer.alloc(64)]), 'old.pt')).toThrow(
      torchAdvice,
    );
  });

  it('reads a safetensors file whose header length starts as a pickle does (0x80 0x02)', () => {
    const state = new Map([['w', { shape: [2], data: new Float32Array([1.5, -2]) }]]);
    let bytes = encodeSafetensors(state, { note: '' });
    // pad the metadata until the header is 0x280 bytes long: its first two bytes are 80 02
    const length = (b: Uint8Array) => Number(Buffer.from(b).readBigUInt64LE(0));
    const note = 'x'.repeat(0x280 - length(bytes));
    bytes = encodeSafetensors(state, { note });
    expect(length(bytes)).toBe(0x280);
    expect([bytes[0], bytes[1]]).toEqual([0x80, 0x02]);
    const read = decodeSafetensors(bytes, 'pickle-like.safetensors');
    expect(Array.from(read.state.get('w')!.data)).toEqual([1.5, -2]);
    expect(read.metadata.note).toBe(note);
  });

  it('says how a damaged file is damaged', () => {
    expect(() => decodeSafetensors(Buffer.from('tiny'), 'a')).toThrow(/a is too short/);
    expect(() => decodeSafetensors(Buffer.from('garbage-garbage-garbage'), 'b')).toThrow(
      /b is not a safetensors file \(bad header length\)/,
    );
    const header = Buffer.alloc(8);
    header.writeBigUInt64LE(4n);
    expect(() => decodeSafetensors(Buffer.concat([header, Buffer.from('{no}')]), 'c')).toThrow(
      /c has a corrupt safetensors header/,
    );
  });
});
