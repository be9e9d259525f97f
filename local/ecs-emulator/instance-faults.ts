/** Faults of one instance, as opposed to faults of an API action (faults.ts). */
export interface InstanceFaults {
  /** The Cloud Assistant agent is not running: status "false", commands fail ClientNotRunning. */
  agentOffline?: boolean;
  /** The agent never picks commands up: each fails DeliveryTimeout once its Timeout passes. */
  agentUnresponsive?: boolean;
  /** Scripts start but never finish, so they run into their Timeout (ExecutionTimeout). */
  scriptHangs?: boolean;
  /** A restart stays in Starting (agent offline) until this fault is cleared. */
  stuckInStarting?: boolean;
}
