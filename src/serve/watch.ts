// File changes under the served folder, as events per run: a run's results.json (or config.json)
// rewritten tells the pages listening (server-sent events) to fetch it again. Driven by the file
// system's notifications (fs.watch, recursive), gathered for 100 ms so a burst of writes is one
// event.
import { watch, type FSWatcher } from 'node:fs';

export function watchRuns(root: string, onChange: (run: string) => void): () => void {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(root, { recursive: true }, (_type, file) => {
      if (!file) return;
      const parts = String(file).split(/[\\/]/);
      const base = parts[parts.length - 1];
      // an atomic write shows as its temporary file (results.json.<pid>.<random>.tmp) renamed
      const relevant = base.startsWith('results.json') || base.startsWith('config.json');
      if (parts.length !== 2 || !relevant) return;
      pending.add(parts[0]);
      timer ??= setTimeout(() => {
        timer = null;
        for (const run of pending) onChange(run);
        pending.clear();
      }, 100);
    });
    watcher.on('error', () => {});
  } catch {
    // a folder that cannot be watched: the pages still work, without live updates
  }
  return () => {
    watcher?.close();
    if (timer) clearTimeout(timer);
  };
}
