import { DeadlineExceededError } from '../../functions/detach-key-pair/src/errors';
import { Ledger } from '../../functions/detach-key-pair/src/job/ledger';
import type { InstanceOutcome } from '../../functions/detach-key-pair/src/result';
import { ecsError } from '../helpers/fake-ecs';

describe('Ledger', () => {
  it('has no worst failure while none was recorded', () => {
    // Prepare
    const ledger = new Ledger();

    // Act
    const worst = ledger.worstFailure();

    // Assess
    expect(worst).toBeUndefined();
  });

  it('answers with throttling over the deadline, and the deadline over other failures', () => {
    // Prepare
    const ledger = new Ledger();
    const serverError = ecsError('server', 'ServiceUnavailable', { statusCode: 503 });
    const deadline = new DeadlineExceededError('No time left.');
    const throttled = ecsError('throttled', 'Throttling.User');
    ledger.fail(['i-1'], serverError);
    ledger.fail(['i-2'], deadline);
    const beforeThrottling = ledger.worstFailure();
    ledger.fail(['i-3'], throttled);

    // Act
    const worst = ledger.worstFailure();

    // Assess
    expect(beforeThrottling).toBe(deadline);
    expect(worst).toBe(throttled);
  });

  it('keeps the earliest of equally severe failures', () => {
    // Prepare
    const ledger = new Ledger();
    const first = ecsError('server', 'InternalError', { statusCode: 500 });
    const second = ecsError('network', 'ECONNRESET');
    ledger.fail(['i-1'], first);
    ledger.fail(['i-2'], second);

    // Act
    const worst = ledger.worstFailure();

    // Assess
    expect(worst).toBe(first);
  });

  it('marks the instances of a failed call Failed, and keeps a stopping cause once', () => {
    // Prepare
    const ledger = new Ledger();
    const denied = ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403 });
    const deniedAgain = ecsError('forbidden', 'Forbidden.RAM', { statusCode: 403 });

    // Act
    ledger.fail(['i-1', 'i-2'], denied);
    ledger.fail(['i-3'], deniedAgain);

    // Assess
    expect(ledger.stopCause).toBe(denied);
    expect([...ledger.outcomes.values()].map((outcome) => outcome.status)).toEqual([
      'Failed',
      'Failed',
      'Failed',
    ]);
    expect([...ledger.requestIds]).toEqual(['REQ-Forbidden.RAM']);
    expect(ledger.answeredAny).toBe(false);
  });

  it('amends a recorded outcome with what a later check learnt, and records none where none was', () => {
    // Prepare
    const ledger = new Ledger();
    ledger.record('i-1', {
      status: 'Failed',
      code: 'Unknown',
      message: 'ECS said so.',
      retryable: false,
    });
    const checked = (recorded: InstanceOutcome): InstanceOutcome => ({
      ...recorded,
      retryable: true,
      message: `${recorded.message} (Checked.)`,
    });

    // Act
    ledger.amend('i-1', checked);
    ledger.amend('i-2', checked);

    // Assess
    expect(ledger.outcomes.get('i-1')).toEqual({
      status: 'Failed',
      code: 'Unknown',
      message: 'ECS said so. (Checked.)',
      retryable: true,
    });
    expect(ledger.outcomes.has('i-2')).toBe(false);
  });
});
