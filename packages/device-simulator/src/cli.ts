import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import { CliUsageError, USAGE, parseCliArgs } from './cliArgs';
import { SimulatorStats, startSimulator } from './startSimulator';

const PROGRESS_INTERVAL_MS = 5000;

function summary(s: SimulatorStats): string {
  const perClass = DATA_CLASSES.map(
    c => `${c} ${s.byClass[c].acked}/${s.byClass[c].sent}`,
  ).join(', ');
  return (
    `[${s.elapsedSeconds.toFixed(0)}s, simulated ${s.simulatedTime}] ` +
    `sent ${s.sent} acked ${s.acked} pending ${s.pending} ` +
    `failed ${s.failedPermanently} retried ${s.retried} ` +
    `bad ${s.badInjected} dropped ${s.dropped} (acked/sent: ${perClass})`
  );
}

async function main(): Promise<number> {
  let command;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`device-simulator: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (command.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const stamp = () => new Date().toISOString();
  const simulator = await startSimulator({
    ...command.options,
    logger: {
      info: m => process.stdout.write(`${stamp()} ${m}\n`),
      warn: m => process.stderr.write(`${stamp()} warn: ${m}\n`),
      error: m => process.stderr.write(`${stamp()} error: ${m}\n`),
    },
  });

  const progress = setInterval(
    () => process.stdout.write(`${summary(simulator.stats())}\n`),
    PROGRESS_INTERVAL_MS,
  );
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`${signal} again: exiting without flushing\n`);
      process.exit(130);
    }
    process.stdout.write(
      `${signal}: stopping, flushing ${
        simulator.stats().pending
      } pending records (again to force)\n`,
    );
    void simulator.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  await simulator.done;
  clearInterval(progress);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const final = simulator.stats();
  process.stdout.write(`done ${summary(final)}\n`);
  // Nothing got through at all: most likely a wrong endpoint or stream name.
  return final.sent > 0 && final.acked === 0 ? 1 : 0;
}

main().then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`device-simulator: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
