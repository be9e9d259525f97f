import type { PublicKey } from './public-key';

/** The variables remove-key.sh reads the key from (docs/guest-script.md). */
export const KEY_TYPE_VARIABLE = 'REMOVE_KEY_TYPE';
export const KEY_BLOB_VARIABLE = 'REMOVE_KEY_BLOB';

/** RunCommand's limit on CommandContent, counted after Base64 encoding (docs/guest-script.md). */
export const MAX_COMMAND_CONTENT_BASE64_BYTES = 24 * 1024;

/** What RunCommand needs to run the removal script: CommandContent is Base64-encoded. */
export interface RemovalCommand {
  type: 'RunShellScript';
  contentEncoding: 'Base64';
  commandContent: string;
}

/**
 * The removal script with the key's variables set before its first command. The line goes after
 * the script's `#!` line, which must stay first for the kernel to honour it. The values are
 * single-quoted; parsePublicKey has already limited them to a known type and Base64.
 */
export function removalScriptFor(key: PublicKey, script: string): string {
  const assignments = `${KEY_TYPE_VARIABLE}='${key.type}' ${KEY_BLOB_VARIABLE}='${key.blob}'\n`;
  const shebangEnd = script.startsWith('#!') ? script.indexOf('\n') + 1 : 0;
  return script.slice(0, shebangEnd) + assignments + script.slice(shebangEnd);
}

/** The RunCommand parameters that remove `key` from every guest it runs on. */
export function buildRemovalCommand(key: PublicKey, script: string): RemovalCommand {
  return {
    type: 'RunShellScript',
    contentEncoding: 'Base64',
    commandContent: Buffer.from(removalScriptFor(key, script), 'utf8').toString('base64'),
  };
}

/** Whether RunCommand accepts this Base64 CommandContent, as far as its size goes. */
export function fitsCommandContentLimit(base64Content: string): boolean {
  return Buffer.byteLength(base64Content, 'utf8') <= MAX_COMMAND_CONTENT_BASE64_BYTES;
}
