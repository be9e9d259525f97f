import type { InstanceResult } from '../../../cli/result';
import { countStages, describeStageCount } from '../../../cli/stages';
import { entry } from './results';

const online = (id: string, status: InstanceResult['Status'], keyRemoved?: boolean) => ({
  ...entry(id, status),
  ...(keyRemoved !== undefined && { KeyRemoved: keyRemoved }),
});

const rebooted = (
  id: string,
  status: InstanceResult['Status'],
  restart?: InstanceResult['Restart'],
) => ({ ...entry(id, status), ...(restart && { Restart: restart }) });

describe('countStages', () => {
  it('Detach: Detached, WouldDetach and Skipped are done, Failed failed at detaching', () => {
    // Prepare
    const results = [
      entry('i-1', 'Detached'),
      entry('i-2', 'WouldDetach'),
      entry('i-3', 'Skipped'),
      entry('i-4', 'Failed'),
    ];

    // Act
    const counts = countStages('Detach', results);

    // Assess
    expect(counts).toEqual([{ stage: 'Detached', done: 3, failed: 1, notReached: 0 }]);
  });

  it('Online: a failed removal never reaches the detach; a removed key that did not detach fails there', () => {
    // Prepare
    const results = [
      online('i-1', 'Detached', true),
      online('i-2', 'Revoked', true),
      online('i-3', 'Skipped', true),
      // Windows: no guest to clean, nothing to do.
      online('i-4', 'Skipped'),
      online('i-5', 'Failed', false),
      online('i-6', 'Failed', true),
      // The whole invocation failed: nothing is known of the guest.
      online('i-7', 'Failed'),
    ];

    // Act
    const counts = countStages('Online', results);

    // Assess
    expect(counts).toEqual([
      { stage: 'KeyRemoved', done: 5, failed: 2, notReached: 0 },
      { stage: 'Detached', done: 4, failed: 1, notReached: 2 },
    ]);
  });

  it('Online dry run: what would be revoked or detached is done at both stages', () => {
    // Prepare
    const results = [online('i-1', 'WouldDetach'), online('i-2', 'WouldRevoke')];

    // Act
    const counts = countStages('Online', results);

    // Assess
    expect(counts.map(({ done, failed, notReached }) => [done, failed, notReached])).toEqual([
      [2, 0, 0],
      [2, 0, 0],
    ]);
  });

  it('Reboot: a failed restart is detached all the same; one left for later never got restarted', () => {
    // Prepare
    const results = [
      rebooted('i-1', 'Detached', 'Restarted'),
      rebooted('i-2', 'Detached', 'NotRestarted'),
      rebooted('i-3', 'Failed', 'Failed'),
      rebooted('i-4', 'Failed'),
      rebooted('i-5', 'Skipped'),
      rebooted('i-6', 'WouldDetach'),
    ];

    // Act
    const counts = countStages('Reboot', results);

    // Assess
    expect(counts).toEqual([
      { stage: 'Detached', done: 5, failed: 1, notReached: 0 },
      { stage: 'Restarted', done: 3, failed: 1, notReached: 2 },
    ]);
  });

  it('counts nothing before any answer', () => {
    // Prepare
    const results: InstanceResult[] = [];

    // Act
    const counts = countStages('Reboot', results);

    // Assess
    expect(counts.map((count) => count.done + count.failed + count.notReached)).toEqual([0, 0]);
  });
});

describe('describeStageCount', () => {
  it.each([
    ['all done', { done: 4, failed: 0, notReached: 0 }, '4/4 | 0 failed'],
    ['some failed', { done: 3, failed: 1, notReached: 0 }, '3/4 | 1 failed'],
    ['some not reached', { done: 2, failed: 1, notReached: 1 }, '2/4 | 1 failed | 1 not reached'],
  ])('%s', (_, count, expected) => {
    // Prepare
    const total = 4;

    // Act
    const text = describeStageCount(count, total);

    // Assess
    expect(text).toBe(expected);
  });
});
