/**
 * `pnpm start`: the README's main job — a complete local Suyuan network (PBFT replicas, registry,
 * an edge gateway with simulated field devices, a farm-to-fork scenario, consumer and regulator
 * pages). The orchestration lives in scripts/demo/; docs/operations.md says what runs where.
 */
import { parseDemoArgs, UsageError, usage } from './demo/args.ts';
import { runDemo } from './demo/run.ts';

try {
  const args = parseDemoArgs(process.argv.slice(2));
  if (args.help) {
    console.log(usage);
  } else {
    await runDemo(args);
  }
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`pnpm start: ${error.message}\n${usage}`);
  process.exit(2);
}
