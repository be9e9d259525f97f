export { startFcRuntime } from './server';
export type { FcRuntime, FcRuntimeOptions, InvocationRecord, RoleCredentialIssuer } from './server';
export type { HttpTriggerConfig } from './function-config';
