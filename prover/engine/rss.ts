// Peak resident memory of a process (Linux /proc). Used to report bb's peak RSS per job.
import { readFile, writeFile } from 'node:fs/promises';

/** Resets the peak-RSS counter of `pid` (Linux >= 4.0, own processes). Returns false when not possible. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS (VmHWM) of `pid` in MiB, or undefined when unavailable. */
export async function peakRssMiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
