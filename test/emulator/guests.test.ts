import * as $Ecs from '@alicloud/ecs20140526';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startEcsEmulator,
  type EcsEmulator,
  type IssuedCredentials,
} from '../../local/ecs-emulator';
import { ecsClient, REGION } from './helpers';

const LEAKED = 'leaked-key';
const NEXT = 'next-key';
const AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';

describe('ECS emulator guests', () => {
  let sandbox: string;
  let emu: EcsEmulator;
  let credentials: IssuedCredentials;

  beforeAll(async () => {
    sandbox = mkdtempSync(join(tmpdir(), 'guests-test-'));
    emu = await startEcsEmulator({ seed: 4, guestDir: sandbox, timing: { rebootMs: 60 } });
    credentials = emu.issueCredentials();
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(sandbox, { recursive: true, force: true });
  });
  beforeEach(() => emu.reset());

  const keyPairCall = (action: 'attach' | 'detach', keyPairName: string, ids: string[]) => {
    const client = ecsClient(emu, credentials);
    const request = { regionId: REGION, keyPairName, instanceIds: JSON.stringify(ids) };
    return action === 'attach'
      ? client.attachKeyPair(new $Ecs.AttachKeyPairRequest(request))
      : client.detachKeyPair(new $Ecs.DetachKeyPairRequest(request));
  };

  const restart = async (id: string) => {
    await ecsClient(emu, credentials).rebootInstance(
      new $Ecs.RebootInstanceRequest({ instanceId: id }),
    );
    while (emu.state.instance(id)?.Status !== 'Running') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('seeds a Linux guest as an image has it, with the key pair it booted with', () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: LEAKED });
    const publicKey = emu.state.keyPair(REGION, LEAKED)?.publicKey ?? '';

    // Act
    const root = emu.state.guestRoot(id);
    const read = (path: string) => emu.state.readGuestFile(id, path) ?? '';

    // Assess
    expect(root).toBe(join(emu.state.guestsDir(), id));
    expect(root.startsWith(sandbox)).toBe(true);
    expect(read('/etc/passwd')).toMatch(/^root:x:0:0:root:\/root:\/bin\/bash$/m);
    expect(read('/etc/passwd')).toMatch(/^ecs-user:x:1000:1000::\/home\/ecs-user:\/bin\/bash$/m);
    expect(read('/etc/passwd')).toMatch(/^sshd:.*:\/sbin\/nologin$/m);
    expect(read('/etc/ssh/sshd_config')).toMatch(/^AuthorizedKeysFile\s+\.ssh\/authorized_keys$/m);
    expect(read('/etc/ssh/sshd_config')).toMatch(/^PasswordAuthentication no$/m);
    const keys = read(AUTHORIZED_KEYS);
    expect(keys).toContain(`${publicKey}${keys.includes('\r\n') ? '\r\n' : '\n'}`);
    expect(keys).toMatch(/^# /m);
    expect(keys).toMatch(/^from="[^"]+",no-pty,\S+ ssh-ed25519 AAAA/m);
    expect(read('/home/ecs-user/.ssh/authorized_keys')).toMatch(/^ssh-ed25519 AAAA/);
    expect(statSync(join(root, 'root/.ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'root/.ssh/authorized_keys')).mode & 0o777).toBe(0o600);
  });

  it('gives some guests CRLF line ends and an authorized_keys2', () => {
    // Prepare
    const ids = emu.state.seedFleet({ regionId: REGION, count: 40 });

    // Act
    const files = ids.map((id) => ({
      keys: emu.state.readGuestFile(id, AUTHORIZED_KEYS) ?? '',
      keys2: emu.state.readGuestFile(id, '/root/.ssh/authorized_keys2'),
    }));

    // Assess
    expect(files.some((f) => f.keys.includes('\r\n'))).toBe(true);
    expect(files.some((f) => !f.keys.includes('\r\n'))).toBe(true);
    expect(files.some((f) => f.keys2 !== undefined)).toBe(true);
    expect(files.some((f) => f.keys2 === undefined)).toBe(true);
  });

  it('costs no disk and no key until a guest is touched', async () => {
    // Prepare
    emu.state.seedFleet({ regionId: REGION, count: 100_000, keyPairName: LEAKED });

    // Act
    const page = await ecsClient(emu, credentials).describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, keyPairName: LEAKED, maxResults: 100 }),
    );

    // Assess
    expect(page.body?.instances?.instance).toHaveLength(100);
    expect(readdirSync(sandbox)).toEqual([]);
  });

  it('takes fixture files with their content and mode; Windows has no tree', () => {
    // Prepare
    const id = emu.state.addInstance({
      RegionId: REGION,
      GuestFiles: {
        [AUTHORIZED_KEYS]: { content: 'only this\n', mode: 0o640 },
        '/etc/motd': 'hello\n',
      },
    });
    const [windows] = emu.state.seedFleet({ regionId: REGION, count: 1, osType: 'windows' });

    // Act
    const root = emu.state.guestRoot(id);
    emu.state.writeGuestFile(id, '/home/ecs-user/notes', { content: 'x', mode: 0o400 });

    // Assess
    expect(emu.state.readGuestFile(id, AUTHORIZED_KEYS)).toBe('only this\n');
    expect(statSync(join(root, 'root/.ssh/authorized_keys')).mode & 0o777).toBe(0o640);
    expect(emu.state.readGuestFile(id, '/etc/motd')).toBe('hello\n');
    expect(statSync(join(root, 'home/ecs-user/notes')).mode & 0o777).toBe(0o400);
    expect(() => emu.state.guestRoot(windows)).toThrow(/Windows/);
    expect(() => emu.state.readGuestFile(id, '/../../outside')).toThrow(/leaves the guest/);
    expect(readdirSync(sandbox)).toHaveLength(1);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])(
    'applies key pairs only at boot, leaving every other line as it was (%s)',
    async (_name, eol) => {
      // Prepare
      const others = [
        '# people',
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeButWellFormedKeyMaterial0000000000000 a@b',
        '',
        'no-pty,from="10.*" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0 c@d',
      ].join(eol);
      const original = `${others}${eol}`;
      const id = emu.state.addInstance({
        RegionId: REGION,
        GuestFiles: { [AUTHORIZED_KEYS]: { content: original, mode: 0o600 } },
      });
      emu.state.createKeyPair(REGION, LEAKED, 'ed25519');
      const leaked = emu.state.keyPair(REGION, LEAKED)?.publicKey ?? '';
      const keys = () => emu.state.readGuestFile(id, AUTHORIZED_KEYS);
      const password = () =>
        /^PasswordAuthentication (\w+)/m.exec(
          emu.state.readGuestFile(id, '/etc/ssh/sshd_config') ?? '',
        )?.[1];
      const seen: Array<[string | undefined, string | undefined]> = [];

      // Act
      seen.push([keys(), password()]);
      await keyPairCall('attach', LEAKED, [id]);
      seen.push([keys(), password()]);
      await restart(id);
      seen.push([keys(), password()]);
      await keyPairCall('detach', LEAKED, [id]);
      seen.push([keys(), password()]);
      await restart(id);
      seen.push([keys(), password()]);

      // Assess
      const withLeaked = `${original}${leaked}${eol}`;
      expect(seen).toEqual([
        [original, 'yes'],
        [original, 'yes'],
        [withLeaked, 'no'],
        [withLeaked, 'no'],
        [original, 'yes'],
      ]);
    },
  );

  it('replaces the first key pair by a second one at the next boot', async () => {
    // Prepare
    const [id] = emu.state.seedFleet({ regionId: REGION, count: 1, keyPairName: LEAKED });
    emu.state.createKeyPair(REGION, NEXT, 'ed25519');
    const before = emu.state.readGuestFile(id, AUTHORIZED_KEYS) ?? '';
    const line = (name: string) => emu.state.keyPair(REGION, name)?.publicKey ?? '';

    // Act
    await keyPairCall('attach', NEXT, [id]);
    await restart(id);
    const after = emu.state.readGuestFile(id, AUTHORIZED_KEYS) ?? '';

    // Assess
    expect(before).toContain(line(LEAKED));
    expect(after).not.toContain(line(LEAKED));
    expect(after).toContain(line(NEXT));
    expect(after.replace(line(NEXT), '')).toBe(before.replace(line(LEAKED), ''));
    expect(emu.state.instance(id)?.KeyPairName).toBe(NEXT);
  });

  it('loads key pairs and guest files from a JSON fixture, again after reset()', async () => {
    // Prepare
    const publicKey = emu.state.createKeyPair(REGION, 'source', 'ed25519').publicKey;
    const fixture = JSON.parse(
      JSON.stringify({
        keyPairs: [
          { RegionId: REGION, KeyPairName: 'imported', PublicKey: publicKey },
          { RegionId: REGION, KeyPairName: 'ed', KeyType: 'ed25519' },
        ],
        instances: [
          {
            InstanceId: 'i-fixtureguest0000001',
            RegionId: REGION,
            KeyPairName: 'imported',
            GuestFiles: { '/etc/motd': { content: 'fixture\n', mode: 0o600 } },
          },
        ],
      }),
    );
    const own = await startEcsEmulator({ guestDir: sandbox, fixture });

    try {
      // Act
      own.state.writeGuestFile('i-fixtureguest0000001', '/etc/motd', 'changed\n');
      own.reset();
      const motd = own.state.readGuestFile('i-fixtureguest0000001', '/etc/motd');
      const keys = own.state.readGuestFile('i-fixtureguest0000001', AUTHORIZED_KEYS);

      // Assess
      expect(motd).toBe('fixture\n');
      expect(keys).toContain(publicKey);
      expect(own.state.keyPair(REGION, 'ed')?.publicKey).toMatch(/^ssh-ed25519 /);
      expect(() =>
        own.state.load({ keyPairs: [{ RegionId: REGION, KeyPairName: 'x', PublicKey: 'nope' }] }),
      ).toThrow(/not an OpenSSH public key/);
    } finally {
      await own.stop();
    }
  });

  it('removes every guest tree on stop()', async () => {
    // Prepare
    const own = await startEcsEmulator({ guestDir: sandbox });
    const [id] = own.state.seedFleet({ regionId: REGION, count: 1 });
    const root = own.state.guestRoot(id);
    const existed = readdirSync(root).length > 0;

    // Act
    await own.stop();

    // Assess
    expect(existed).toBe(true);
    expect(readdirSync(sandbox)).toEqual([]);
  });
});
