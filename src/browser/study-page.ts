// The in-browser study: the page's entry of the browser bundle (built by scripts/build-web.js into
// dist/web/). It fetches the kernels and the bundled dataset from `prunelab serve` (nothing from
// elsewhere), compiles the kernels once, and runs the CLI's own study loop (runStudy) with a pool
// of Web Workers as its task runner, over an in-memory run folder. Every rewrite of results.json
// is handed to the page as it happens, so a curve can grow step by step; for the same seed and
// configuration the numbers are the CLI's (test/browser/browser-study.test.ts checks it).
import './shims/globals.js';
import { parseStudyConfig } from '../config.js';
import { useWasmModule } from '../engine/wasm.js';
import type { StudyResults } from '../study/results.js';
import { runStudy } from '../study/study.js';
import type { ProgressReporter } from '../util/progress.js';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  watchFiles,
  writeFileSync,
} from './shims/fs.js';
import type { WebWorker } from './messages.js';
import { WebWorkerPool } from './worker-pool.js';

/** The criteria a study can run (the page lists them). */
export { CRITERIA } from '../config.js';

export interface BrowserStudyOptions {
  /** The study's settings, as a config file gives them (parseStudyConfig). */
  config: Record<string, unknown>;
  /** 'simd': the plain SIMD kernels even where relaxed SIMD is there (the CLI's PRUNELAB_FMA=0). */
  kernels?: 'auto' | 'simd';
  /** Web Workers running tasks (default: one per core the browser reports, at most 4). */
  workers?: number;
  /** Called with the results each time the study rewrites them. */
  onResults?: (results: StudyResults) => void;
  /** The lines the CLI would print (the header, finished baselines). */
  onLine?: (line: string) => void;
  /** The progress bar: done of total, and what is running. */
  onProgress?: (done: number, total: number, status: string) => void;
}

export interface BrowserStudy {
  results: StudyResults;
  /** The kernels the page ran: 'simd-fma' (relaxed SIMD) or 'simd'. */
  kernels: 'simd-fma' | 'simd';
}

const RUN_DIR = '/runs/browser-study';
const DATASETS = new Set(['fashion-mnist', 'mnist']);

async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

interface CompiledKernels {
  module: WebAssembly.Module;
  variant: 'simd-fma' | 'simd';
}

/** The fused build where the browser has relaxed SIMD (unless refused), else the plain SIMD one. */
async function compileKernels(choice: 'auto' | 'simd'): Promise<CompiledKernels> {
  const fused = choice === 'auto' ? await fetchBytes('/kernels/kernels-fma.wasm') : null;
  if (fused && WebAssembly.validate(fused)) {
    return { module: await WebAssembly.compile(fused), variant: 'simd-fma' };
  }
  const plain = await fetchBytes('/kernels/kernels.wasm');
  return { module: await WebAssembly.compile(plain), variant: 'simd' };
}

function reporter(options: BrowserStudyOptions): ProgressReporter {
  let total = 0;
  const line = (text: string) => options.onLine?.(text);
  return {
    info: line,
    milestone: () => undefined,
    event: () => undefined,
    start: (_label, units) => {
      total = units;
    },
    update: (done, status) => options.onProgress?.(done, total, status),
    stop: () => undefined,
    summary: line,
  };
}

/** Runs one study in this page; resolves with its final results. */
export async function runBrowserStudy(options: BrowserStudyOptions): Promise<BrowserStudy> {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    throw new Error(
      "the kernels' shared memory needs a cross-origin isolated page (COOP/COEP headers): " +
        'open it from `prunelab serve`',
    );
  }
  const dataset = (options.config.dataset as string | undefined) ?? 'fashion-mnist';
  if (!DATASETS.has(dataset)) {
    throw new Error(
      `the browser runs the bundled sets only (fashion-mnist, mnist), not ${dataset}`,
    );
  }
  const rawFile = `/data/${dataset}.raw`;
  // the dataset is fetched once per page; a later study in the page reuses it
  const fetched = !existsSync(rawFile);
  const [kernels, data] = await Promise.all([
    compileKernels(options.kernels ?? 'auto'),
    fetched ? fetchBytes(`/api/datasets/${dataset}`) : readFileSync(rawFile),
  ]);
  useWasmModule(kernels.module, kernels.variant);
  if (fetched) {
    mkdirSync('/data', { recursive: true });
    writeFileSync(rawFile, data);
  }
  // each study starts in an empty run folder
  rmSync(RUN_DIR, { recursive: true, force: true });
  const cfg = parseStudyConfig({ ...options.config, dataset, rawFile, out: RUN_DIR });
  const resultsFile = `${RUN_DIR}/results.json`;
  const unwatch = watchFiles((path) => {
    if (path !== resultsFile || !options.onResults) return;
    options.onResults(JSON.parse(readFileSync(path, 'utf8')) as StudyResults);
  });
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const size = options.workers ?? Math.min(4, Math.max(1, nav?.hardwareConcurrency ?? 2));
  const spawn = () => {
    const url = new URL('./task-worker.js', import.meta.url);
    const WorkerClass = (globalThis as unknown as { Worker: new (u: URL, o: object) => WebWorker })
      .Worker;
    return new WorkerClass(url, { type: 'module' });
  };
  const runner = new WebWorkerPool(size, spawn, { ...kernels, files: { [rawFile]: data } });
  try {
    const { results } = await runStudy(cfg, reporter(options), { runner });
    return { results, kernels: kernels.variant };
  } finally {
    unwatch();
  }
}
