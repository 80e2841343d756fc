// The browser's stand-in for sharp: image files are decoded by the CLI; a page gets its data
// already decoded.
import { unavailable } from './unavailable.js';

export default function sharp(): never {
  return unavailable('image decoding (sharp)');
}
