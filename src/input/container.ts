// What a file holds, from its first bytes: an Annex-B HEVC elementary stream or an ISO-BMFF
// (MP4/MOV) file.
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { looksLikeMp4 } from './mp4_demux.js';

/** True when the file starts like an Annex-B HEVC byte stream (start code, then a VPS/SPS/PPS/AUD/SEI/slice NAL). */
export function looksLikeAnnexBHevc(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(64);
    const n = readSync(fd, b, 0, 64, 0);
    let i = 0;
    while (i < n && b[i] === 0) i++;
    if (i < 2 || i >= n || b[i] !== 1 || i + 2 >= n) return false;
    const nalType = (b[i + 1]! >> 1) & 0x3f;
    const forbidden = b[i + 1]! & 0x80;
    return !forbidden && (nalType === 32 || nalType === 33 || nalType === 34 || nalType === 35 || nalType === 39 || nalType <= 21);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when the file starts like an ISO-BMFF (MP4/MOV) file. */
export async function isMp4(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await fh.read(head, 0, 16, 0);
    return looksLikeMp4(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
