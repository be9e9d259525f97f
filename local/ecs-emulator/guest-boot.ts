/**
 * What a Linux image's init does with ECS's key pair at each boot (docs/emulator.md, "Boot"):
 * the key pair attached now goes into root's authorized_keys if it is not there; the key ECS put
 * there at an earlier boot, if no longer attached, comes out; no other line changes, byte for
 * byte. sshd's PasswordAuthentication is `no` while a key pair is attached and `yes` once none is.
 */
import { readGuestFile, writeGuestFile } from './guests';

export const ROOT_AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';
export const SSHD_CONFIG_PATH = '/etc/ssh/sshd_config';

const KEY_IN_LINE =
  /(?:^|[\s,])((?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-[\w@.-]+)\s+[A-Za-z0-9+/]+=*)/;

/** `type base64` of the key on an authorized_keys line (after any options), if it holds one. */
export function keyOnLine(line: string): string | undefined {
  if (/^\s*(#|$)/.test(line)) return undefined;
  return KEY_IN_LINE.exec(line)?.[1].replace(/\s+/, ' ');
}

/** Lines with their own line ends, so a file is rebuilt exactly. */
function splitLines(content: string): string[] {
  return content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The file's first line end, so an added line matches the file's style (CRLF or LF). */
function lineEnd(content: string): string {
  return /\r\n/.exec(content)?.[0] ?? '\n';
}

function withKeys(content: string, remove: string | undefined, add: string | undefined): string {
  const addKey = add && keyOnLine(add);
  const kept = splitLines(content).filter((line) => {
    const key = keyOnLine(line.replace(/\r?\n$/, ''));
    return !(remove && key === remove && key !== addKey);
  });
  let result = kept.join('');
  if (add && addKey && !kept.some((line) => keyOnLine(line.replace(/\r?\n$/, '')) === addKey)) {
    const end = lineEnd(content);
    if (result !== '' && !result.endsWith('\n')) result += end;
    result += `${add}${end}`;
  }
  return result;
}

function withPasswordAuthentication(content: string, value: 'yes' | 'no'): string {
  const setting = /^([ \t]*)PasswordAuthentication[ \t]+[^\s#]+/im;
  if (setting.test(content)) return content.replace(setting, `$1PasswordAuthentication ${value}`);
  const end = lineEnd(content);
  const separator = content === '' || content.endsWith('\n') ? '' : end;
  return `${content}${separator}PasswordAuthentication ${value}${end}`;
}

/**
 * Boots the guest at `root` with `attachedPublicKey` (undefined: none attached), given the key
 * ECS put in at the previous boot. Returns the key ECS has put in now (its `type base64`).
 */
export function bootGuest(
  root: string,
  previousEcsKey: string | undefined,
  attachedPublicKey: string | undefined,
): string | undefined {
  const keys = readGuestFile(root, ROOT_AUTHORIZED_KEYS);
  const updatedKeys = withKeys(keys ?? '', previousEcsKey, attachedPublicKey);
  if (updatedKeys !== (keys ?? '')) {
    // A file init makes is 0600, as sshd's StrictModes wants; an existing one keeps its mode.
    const mode = keys === undefined ? 0o600 : undefined;
    writeGuestFile(root, ROOT_AUTHORIZED_KEYS, { content: updatedKeys, mode });
  }
  const sshdConfig = readGuestFile(root, SSHD_CONFIG_PATH);
  if (sshdConfig !== undefined) {
    const updated = withPasswordAuthentication(sshdConfig, attachedPublicKey ? 'no' : 'yes');
    if (updated !== sshdConfig) {
      writeGuestFile(root, SSHD_CONFIG_PATH, updated);
    }
  }
  return attachedPublicKey && keyOnLine(attachedPublicKey);
}
