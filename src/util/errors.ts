// Error kinds the CLI reports as one clear line (what is wrong, what to do), without a stack.
export class UserError extends Error {
  override name = 'UserError';
}
export class DataError extends UserError {
  override name = 'DataError';
}
export class ConfigError extends UserError {
  override name = 'ConfigError';
}
export class DivergenceError extends UserError {
  override name = 'DivergenceError';
}
/**
 * Work stopped by Ctrl-C or SIGTERM; what is finished is saved, and the message says how to go on.
 */
export class InterruptedError extends UserError {
  override name = 'InterruptedError';
}
