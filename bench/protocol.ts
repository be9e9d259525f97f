/** Messages between the bench (which hosts the emulator) and the child that runs the function. */

import type { AccessCredentials } from '../functions/detach-key-pair/src/ecs/port';

/** The request payload, in the ECS API's own parameter names (docs/CONTRACTS.md). */
export interface DetachPayload {
  RegionId: string;
  KeyPairName: string;
  InstanceIds: string[];
  Mode?: 'Detach' | 'Online';
}

/** A request that names no ids: every holder of the key in the regions given (or `*`). */
export interface SelectionPayload {
  RegionId: string;
  KeyPairName: string;
  Target: 'Holders';
}

/** The fields of an FC 3.0 context the function reads. */
export interface FcContext {
  requestId: string;
  credentials: AccessCredentials;
  function: { name: string; timeout: number; memory: number };
}

export type ChildRequest =
  | { kind: 'handler'; payload: DetachPayload | SelectionPayload; context: FcContext }
  | { kind: 'sdk'; payload: DetachPayload; credentials: AccessCredentials; endpoint: string };

export interface ProcessMemory {
  rssBytes: number;
  maxRssBytes: number;
}

export type ChildReply =
  | { kind: 'ready' }
  | { kind: 'done'; ms: number; result: unknown; memory: ProcessMemory }
  | { kind: 'failed'; message: string };
