import * as $Ecs from '@alicloud/ecs20140526';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  startEcsEmulator,
  type EcsEmulator,
  type IssuedCredentials,
} from '../../local/ecs-emulator';
import { ecsClient, REGION, rejectionOf } from './helpers';

/** The MD5 fingerprint of an OpenSSH public key line's blob, as ECS prints it. */
function md5FingerPrint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(' ')[1], 'base64');
  return (createHash('md5').update(blob).digest('hex').match(/../g) ?? []).join(':');
}

/** An ed25519 public key in OpenSSH form, made here as a user's ssh-keygen would. */
function openSshEd25519(comment: string): string {
  const raw = Buffer.from(
    generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x ?? '',
    'base64url',
  );
  const str = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

describe('ECS emulator key pairs, through the unmodified SDK', () => {
  let emu: EcsEmulator;
  let credentials: IssuedCredentials;

  beforeAll(async () => {
    emu = await startEcsEmulator({ seed: 3 });
    credentials = emu.issueCredentials({ sts: true });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  const describe1 = (keyPairName: string, includePublicKey?: boolean) =>
    ecsClient(emu, credentials).describeKeyPairs(
      new $Ecs.DescribeKeyPairsRequest({ regionId: REGION, keyPairName, includePublicKey }),
    );

  it('holds real OpenSSH public keys, ed25519 and RSA, with their MD5 fingerprints', async () => {
    // Prepare
    emu.state.createKeyPair(REGION, 'ed-key', 'ed25519');
    emu.state.createKeyPair(REGION, 'rsa-key');

    // Act
    const ed = (await describe1('ed-key', true)).body?.keyPairs?.keyPair?.[0];
    const rsa = (await describe1('rsa-key', true)).body?.keyPairs?.keyPair?.[0];
    const withoutKey = (await describe1('ed-key')).body?.keyPairs?.keyPair?.[0];

    // Assess
    expect(ed?.publicKey).toMatch(
      /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} ed-key$/,
    );
    expect(rsa?.publicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB[A-Za-z0-9+/=]+ rsa-key$/);
    expect(ed?.keyPairFingerPrint).toBe(md5FingerPrint(ed?.publicKey ?? ''));
    expect(rsa?.keyPairFingerPrint).toBe(md5FingerPrint(rsa?.publicKey ?? ''));
    expect(withoutKey?.publicKey).toBeUndefined();
    expect(withoutKey?.keyPairFingerPrint).toBe(ed?.keyPairFingerPrint);
  });

  it('imports a public key and finds it again by its fingerprint', async () => {
    // Prepare
    const publicKey = openSshEd25519('alice@laptop');
    const client = ecsClient(emu, credentials);

    // Act
    const imported = await client.importKeyPair(
      new $Ecs.ImportKeyPairRequest({
        regionId: REGION,
        keyPairName: 'alice.laptop',
        publicKeyBody: publicKey,
      }),
    );
    const found = await client.describeKeyPairs(
      new $Ecs.DescribeKeyPairsRequest({
        regionId: REGION,
        keyPairFingerPrint: imported.body?.keyPairFingerPrint,
        includePublicKey: true,
      }),
    );

    // Assess
    expect(imported.body?.keyPairFingerPrint).toBe(md5FingerPrint(publicKey));
    expect(found.body?.keyPairs?.keyPair?.map((k) => [k.keyPairName, k.publicKey])).toEqual([
      ['alice.laptop', publicKey],
    ]);
  });

  it.each([
    ['not a key', 'InvalidPublicKeyBody.Malformed'],
    ['ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB x', 'InvalidPublicKeyBody.Malformed'],
    ['ssh-ed25519 !!!! x', 'InvalidPublicKeyBody.Malformed'],
    ['ssh-foo AAAAC3NzaC1lZDI1NTE5 x', 'InvalidPublicKeyBody.Malformed'],
  ])('refuses the public key %j with %s', async (publicKeyBody, code) => {
    // Prepare
    const client = ecsClient(emu, credentials);

    // Act
    const error = await rejectionOf(
      client.importKeyPair(
        new $Ecs.ImportKeyPairRequest({ regionId: REGION, keyPairName: 'k1', publicKeyBody }),
      ),
    );

    // Assess
    expect(error).toMatchObject({ statusCode: 400, code });
    expect(emu.state.keyPair(REGION, 'k1')).toBeUndefined();
  });

  it('refuses a name taken, a malformed name, and a missing key body', async () => {
    // Prepare
    emu.state.createKeyPair(REGION, 'taken', 'ed25519');
    const client = ecsClient(emu, credentials);
    const publicKeyBody = openSshEd25519('x');
    const importAs = (keyPairName: string, body?: string) =>
      rejectionOf(
        client.importKeyPair(
          new $Ecs.ImportKeyPairRequest({ regionId: REGION, keyPairName, publicKeyBody: body }),
        ),
      );

    // Act
    const taken = await importAs('taken', publicKeyBody);
    const createdTaken = await rejectionOf(
      client.createKeyPair(
        new $Ecs.CreateKeyPairRequest({ regionId: REGION, keyPairName: 'taken' }),
      ),
    );
    const badNames = await Promise.all(
      ['1starts-with-digit', 'x', 'https://example', 'has space'].map((n) =>
        importAs(n, publicKeyBody),
      ),
    );
    const dottedCreate = await rejectionOf(
      client.createKeyPair(new $Ecs.CreateKeyPairRequest({ regionId: REGION, keyPairName: 'a.b' })),
    );
    const noBody = await importAs('fine-name');

    // Assess
    expect(taken).toMatchObject({ statusCode: 400, code: 'KeyPair.AlreadyExist' });
    expect(createdTaken).toMatchObject({ statusCode: 400, code: 'KeyPair.AlreadyExist' });
    for (const error of [...badNames, dottedCreate]) {
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidKeyPairName.Malformed' });
    }
    expect(noBody).toMatchObject({ statusCode: 400, code: 'MissingParameter' });
  });

  it('creates an RSA key pair and returns its private key once', async () => {
    // Prepare
    const client = ecsClient(emu, credentials);

    // Act
    const created = await client.createKeyPair(
      new $Ecs.CreateKeyPairRequest({ regionId: REGION, keyPairName: 'fresh-key' }),
    );
    const described = await describe1('fresh-key', true);

    // Assess
    const privateKey = createPrivateKey(created.body?.privateKeyBody ?? '');
    const stored = described.body?.keyPairs?.keyPair?.[0];
    expect(created.body?.privateKeyBody).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(createPublicKey(privateKey).export({ format: 'jwk' }).n).toBeDefined();
    expect(stored?.keyPairFingerPrint).toBe(created.body?.keyPairFingerPrint);
    expect(stored?.keyPairFingerPrint).toBe(md5FingerPrint(stored?.publicKey ?? ''));
    expect(JSON.stringify(emu.state.keyPair(REGION, 'fresh-key'))).not.toContain('PRIVATE');
  });
});
