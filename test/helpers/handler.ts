import { DEFAULT_RETRY_POLICY } from '../../functions/detach-key-pair/src/job/retry';
import { createHandler, type EcsPortFactory } from '../../functions/detach-key-pair/src/handler';
import { FakeClock } from './clock';
import { FakeEcs } from './fake-ecs';
import { capturingLogger } from './logs';

/**
 * The real handler flow over a fake ECS, virtual time and captured logs. `regions` gives a region
 * its own fake ECS; every other region is served by `ecs`.
 */
export function handlerWithFake(
  options: {
    ecs?: FakeEcs;
    regions?: Record<string, FakeEcs>;
    env?: Record<string, string>;
    clock?: FakeClock;
  } = {},
) {
  const ecs = options.ecs ?? new FakeEcs();
  const clock = options.clock ?? new FakeClock();
  for (const fake of [ecs, ...Object.values(options.regions ?? {})]) {
    fake.onCall = (ms) => clock.advance(ms);
  }
  const logs = capturingLogger();
  const portRequests: Parameters<EcsPortFactory>[] = [];
  const handler = createHandler({
    env: () => ({ LOG_LEVEL: 'debug', ...options.env }),
    clock,
    retryPolicy: DEFAULT_RETRY_POLICY,
    loggerFor: () => logs.logger,
    ecsPortFor: async (...args) => {
      portRequests.push(args);
      return options.regions?.[args[2]] ?? ecs;
    },
    newRequestId: () => 'generated-request-id',
  });
  return { handler, ecs, clock, logs, portRequests };
}
