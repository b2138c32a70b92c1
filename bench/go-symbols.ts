/**
 * Function names for addresses in a stripped Go binary (Debian's runc), from its
 * .gopclntab section, which stripping keeps (Go's own tables; perf cannot read them).
 * Go 1.18+ layout: a header, then (entry offset, func offset) pairs sorted by address.
 */
import { readFileSync } from 'node:fs';

export interface GoSymbols {
  /** Where the ELF maps file offset 0 (first PT_LOAD vaddr − offset): perf gives addresses in an unnamed mapping (the sealed memfd) relative to it. */
  base: number;
  /** The function containing virtual address `addr`, or undefined. */
  name(addr: number): string | undefined;
}

export function readGoSymbols(file: string): GoSymbols | undefined {
  let b: Buffer;
  try { b = readFileSync(file); } catch { return undefined; }
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return undefined; // 64-bit ELF only
  const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  let base = 0;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (b.readUInt32LE(p) === 1) { base = Number(b.readBigUInt64LE(p + 16)) - Number(b.readBigUInt64LE(p + 8)); break; } // PT_LOAD
  }
  const shoff = Number(b.readBigUInt64LE(0x28)), shentsize = b.readUInt16LE(0x3a), shnum = b.readUInt16LE(0x3c), shstrndx = b.readUInt16LE(0x3e);
  const strtab = Number(b.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18));
  let tab: Buffer | undefined;
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize;
    const nameAt = strtab + b.readUInt32LE(s);
    if (b.toString('latin1', nameAt, b.indexOf(0, nameAt)) !== '.gopclntab') continue;
    const off = Number(b.readBigUInt64LE(s + 0x18));
    tab = b.subarray(off, off + Number(b.readBigUInt64LE(s + 0x20)));
  }
  if (!tab || ((tab.readUInt32LE(0) & 0xfffffff0) >>> 0) !== 0xfffffff0) return undefined; // Go 1.18+ (…f0) and 1.20+ (…f1)
  const nfunc = Number(tab.readBigUInt64LE(8));
  const textStart = Number(tab.readBigUInt64LE(24)), funcnames = Number(tab.readBigUInt64LE(32)), pcln = Number(tab.readBigUInt64LE(64));
  const entries = new Float64Array(nfunc);
  const nameOffs = new Int32Array(nfunc);
  for (let i = 0; i < nfunc; i++) {
    entries[i] = textStart + tab.readUInt32LE(pcln + i * 8);
    nameOffs[i] = tab.readInt32LE(pcln + tab.readUInt32LE(pcln + i * 8 + 4) + 4);
  }
  const names = new Map<number, string>();
  return {
    base,
    name(addr) {
      let lo = 0, hi = nfunc - 1;
      if (nfunc === 0 || addr < entries[0]!) return undefined;
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (entries[mid]! <= addr) lo = mid; else hi = mid - 1; }
      let n = names.get(lo);
      if (n === undefined) {
        const at = funcnames + nameOffs[lo]!;
        names.set(lo, (n = tab!.toString('latin1', at, tab!.indexOf(0, at))));
      }
      return n;
    },
  };
}
