import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { DeliveryWorker } from './deliveryWorker';
import { eventually } from './__testUtils__/records';

/** Nice value of each thread of this process, by thread name (Linux). */
function niceByThread(): Array<{ name: string; nice: number }> {
  return readdirSync('/proc/self/task').flatMap(tid => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Field 19 of stat(5), counted after the ")" that ends the name.
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      return [{ name, nice }];
    } catch {
      return [];
    }
  });
}

(process.platform === 'linux' ? describe : describe.skip)(
  'thread priorities',
  () => {
    it('runs the delivery worker below the API thread', async () => {
      const worker = new DeliveryWorker();
      try {
        worker.start();
        const threads = await eventually(() => {
          const found = niceByThread();
          const delivery = found.find(t => t.name === 'delivery-worker');
          return delivery?.nice === 10 ? found : undefined;
        });
        const main = threads.find(t => t.name !== 'delivery-worker')!;
        expect(main.nice).toBeLessThan(10);
      } finally {
        await worker.close();
      }
    });

    it("lowers V8's helper threads, not the main thread", () => {
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `
          const { lowerV8HelperThreadsPriority } = require(${JSON.stringify(
            require.resolve('./threadPriority'),
          )});
          const lowered = lowerV8HelperThreadsPriority();
          const fs = require('node:fs');
          const threads = fs.readdirSync('/proc/self/task').map(tid => {
            const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
            return {
              name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
              nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]),
            };
          });
          process.stdout.write(JSON.stringify({ lowered, threads }));
          `,
        ],
        { encoding: 'utf8' },
      );
      expect(child.stderr).toBe('');
      const { lowered, threads } = JSON.parse(child.stdout) as {
        lowered: number;
        threads: Array<{ name: string; nice: number }>;
      };
      const helpers = threads.filter(t => t.name === 'V8Worker');
      expect(lowered).toBeGreaterThan(0);
      expect(helpers).toHaveLength(lowered);
      expect(helpers.every(t => t.nice === 10)).toBe(true);
      expect(threads.find(t => t.name === 'MainThread')?.nice).toBe(0);
    });
  },
);
