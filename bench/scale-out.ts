/**
 * The scale-out part of the bench alone (bench/lib/scale-out.ts), for a quick look:
 *   npx tsx bench/scale-out.ts [--quick]
 * Prints the figures and writes bench/results/scale-out.json. `npm run bench` runs the
 * same measurement as part of the full report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScaleOut, scaleOutOptions } from './lib/scale-out.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const result = await runScaleOut(scaleOutOptions(root, quick, (line) => console.log(line)));
const dir = path.join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'scale-out.json'), `${JSON.stringify(result, null, 2)}\n`);
const line = (name: string, run: typeof result.oneInstanceMemory) =>
  `${name.padEnd(34)} p50 ${run.latencyMs.median.toFixed(2)} ms  p99 ${run.latencyMs.p99.toFixed(2)} ms  (${run.received}/${run.sent})`;
console.log(line('one instance, rooms in memory', result.oneInstanceMemory));
console.log(line('one instance, rooms in Redis', result.oneInstanceRedis));
console.log(line('two instances on Redis', result.twoInstancesRedis));
console.log(`Redis memory per idle room: ${Math.round(result.redisBytesPerIdleRoom)} bytes (${result.idleRooms} rooms, Redis ${result.redisVersion})`);
process.exit(0);
