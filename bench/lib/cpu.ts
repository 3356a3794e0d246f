import { readFileSync } from "node:fs";

/** Busy CPU time of the whole machine so far, in seconds (Linux /proc/stat: all but idle and iowait). */
export function machineBusySeconds(): number {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
}
