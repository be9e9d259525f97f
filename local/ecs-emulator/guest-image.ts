/**
 * What a Linux guest's disk holds before its first boot: the files of a typical image (users,
 * sshd's configuration) and the keys its people put there by hand, with the untidiness real
 * `authorized_keys` files have (comments, blank lines, options, CRLF line ends, the legacy
 * `authorized_keys2`). Which guests get which quirk follows from the instance id, so a run replays.
 */
import { createHash } from 'node:crypto';
import { generateKeyMaterial } from './key-material';

export interface GuestFile {
  content: string;
  /** Permission bits, e.g. 0o600. Default: an existing file's; 0o644 (less the umask) for a new one. */
  mode?: number;
}

/** Guest path (absolute, as on the instance) → content, or content and mode. */
export type GuestFiles = Record<string, string | GuestFile>;

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'bin:x:1:1:bin:/bin:/sbin/nologin',
  'daemon:x:2:2:daemon:/sbin:/sbin/nologin',
  'nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin',
  'sshd:x:74:74:Privilege-separated SSH:/usr/share/empty.sshd:/sbin/nologin',
  'chrony:x:996:993::/var/lib/chrony:/sbin/nologin',
  'ecs-user:x:1000:1000::/home/ecs-user:/bin/bash',
  '',
].join('\n');

export const SSHD_CONFIG = [
  '#\t$OpenBSD: sshd_config,v 1.104 2021/07/02 05:11:21 dtucker Exp $',
  '',
  '# This is the sshd server system-wide configuration file.',
  'Include /etc/ssh/sshd_config.d/*.conf',
  '',
  'HostKey /etc/ssh/ssh_host_rsa_key',
  'HostKey /etc/ssh/ssh_host_ecdsa_key',
  'HostKey /etc/ssh/ssh_host_ed25519_key',
  '',
  'SyslogFacility AUTHPRIV',
  'PermitRootLogin yes',
  '#PubkeyAuthentication yes',
  '',
  '# The default is to check both .ssh/authorized_keys and .ssh/authorized_keys2',
  'AuthorizedKeysFile\t.ssh/authorized_keys',
  '',
  '#PermitEmptyPasswords no',
  'PasswordAuthentication yes',
  'ChallengeResponseAuthentication no',
  'UsePAM yes',
  'X11Forwarding yes',
  'UseDNS no',
  'Subsystem sftp /usr/libexec/openssh/sftp-server',
  '',
].join('\n');

/** Keys people added by hand: made once a process, shared by every guest that holds them. */
let personalKeys: string[] | undefined;

function personalKeyLines(): string[] {
  personalKeys ??= ['alice@laptop', 'deploy@ci-runner', 'bob@workstation'].map(
    (comment) => generateKeyMaterial('ed25519', comment).publicKey,
  );
  return personalKeys;
}

/** Quirks a guest has, from its id: roughly one guest in four has each. */
function quirks(instanceId: string): { crlf: boolean; authorizedKeys2: boolean } {
  const digest = createHash('md5').update(instanceId).digest();
  return { crlf: digest[0] % 4 === 0, authorizedKeys2: digest[1] % 4 === 0 };
}

/** The image's files for one Linux guest, before any boot put an ECS key pair in. */
export function imageFiles(instanceId: string): GuestFiles {
  const [alice, deploy, bob] = personalKeyLines();
  const { crlf, authorizedKeys2 } = quirks(instanceId);
  const rootKeys = [
    '# Managed by hand: ask #ops before editing.',
    alice,
    '',
    '# CI deploys, only from the build network',
    `from="10.0.0.0/8,192.168.0.0/16",no-pty,no-port-forwarding ${deploy}`,
    '',
  ].join(crlf ? '\r\n' : '\n');
  return {
    '/etc/passwd': PASSWD,
    '/etc/ssh/sshd_config': { content: SSHD_CONFIG, mode: 0o600 },
    '/root/.ssh/authorized_keys': { content: rootKeys, mode: 0o600 },
    '/home/ecs-user/.ssh/authorized_keys': { content: `${bob}\n`, mode: 0o600 },
    ...(authorizedKeys2 && {
      '/root/.ssh/authorized_keys2': { content: `# legacy file\n${bob}\n`, mode: 0o600 },
    }),
  };
}
