import { setFlagsFromString } from 'node:v8';

/**
 * Memory under load. After a full collection V8 lets the old generation grow to up to ~4× what
 * survived before it collects again; under steady load a server whose live objects take ~40 MB
 * (this one) then sits at 300–350 MB, nearly all of it garbage. Growing by at most 50 % keeps
 * the peak near 210 MB at the same throughput (more, smaller full collections, marked
 * concurrently on another core; docs/benchmarks.md, 2026-12-03 07:40). Set before the server
 * allocates anything; a `--heap-growing-percent` given to node itself is left alone.
 */
export const HEAP_GROWING_PERCENT = 50;

if (!process.execArgv.some((flag) => flag.startsWith('--heap-growing-percent'))) {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
