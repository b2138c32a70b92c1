/**
 * A node's numbers that filters and scores read for every node a cycle visits (allocatable,
 * requested, non-zero requested, pod count), as one row of doubles. Rows are carved from
 * shared 128 KiB buffers in the order NodeInfos are made, so a cycle over hundreds of
 * nodes reads neighbouring memory instead of chasing NodeInfo → Resource → boxed number
 * for each (SchedulingBasic: 500 nodes filtered and scored per pod, out of 5,000). A
 * buffer is freed once no NodeInfo holds a row of it. NodeInfo keeps its Resource objects
 * as the full truth (extended resources included) and writes these copies as they change.
 */
import type { Resource } from './resource.js';

export const ALLOC_CPU = 0, ALLOC_MEM = 1, ALLOC_EPH = 2, ALLOC_PODS = 3;
export const REQ_CPU = 4, REQ_MEM = 5, REQ_EPH = 6;
export const NZ_CPU = 7, NZ_MEM = 8;
export const POD_COUNT = 9;
/** 1 when the node's allocatable or requested has extended resources (the slow path must look). */
export const HAS_SCALAR = 10;

const ROW = 16; // doubles: 128 bytes, two cache lines
const ROWS_PER_BUFFER = 1024;
let buffer: ArrayBuffer | undefined;
let next = ROWS_PER_BUFFER;

export function newHotRow(): Float64Array {
  if (next === ROWS_PER_BUFFER) { buffer = new ArrayBuffer(ROW * 8 * ROWS_PER_BUFFER); next = 0; }
  return new Float64Array(buffer!, ROW * 8 * next++, ROW);
}

export function writeHotRow(row: Float64Array, alloc: Resource, req: Resource, nonZero: Resource, pods: number): void {
  row[ALLOC_CPU] = alloc.milliCPU; row[ALLOC_MEM] = alloc.memory; row[ALLOC_EPH] = alloc.ephemeralStorage; row[ALLOC_PODS] = alloc.allowedPodNumber;
  row[REQ_CPU] = req.milliCPU; row[REQ_MEM] = req.memory; row[REQ_EPH] = req.ephemeralStorage;
  row[NZ_CPU] = nonZero.milliCPU; row[NZ_MEM] = nonZero.memory;
  row[POD_COUNT] = pods;
  row[HAS_SCALAR] = alloc.scalar.size > 0 || req.scalar.size > 0 ? 1 : 0;
}
