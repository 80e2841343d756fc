// What two runs of the same study and configuration must share, whatever ran them (one thread or
// two, this machine or a queue): results.json without what differs between runs by nature — wall
// times, measured speeds, names, paths and the environment.
const VARYING = new Set([
  'seconds',
  'imagesPerSecond',
  'latencyMs',
  'timings',
  'environment',
  'name',
  'out',
]);

/** results.json's text, parsed without the fields that vary from run to run. */
export function comparableResults(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (VARYING.has(key) ? undefined : value));
}
