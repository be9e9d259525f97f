import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuestTree, assertGuestRoot } from '../../helpers/guest-tree';

describe('assertGuestRoot', () => {
  const temp = realpathSync(tmpdir());

  it.each([
    ['empty', ''],
    ['the root', '/'],
    ['this machine’s /root', '/root'],
    ['a relative path', 'guest'],
    ['the temp dir itself', temp],
    ['a sibling of the temp dir', `${temp}-guest`],
  ])('refuses %s', (_case, root) => {
    // Act
    const check = () => assertGuestRoot(root);
    // Assess
    expect(check).toThrow('GUEST_ROOT must be a test directory');
  });

  it('accepts a directory under the temp dir', () => {
    // Act
    const check = () => assertGuestRoot(join(temp, 'guest-x'));
    // Assess
    expect(check).not.toThrow();
  });
});

describe('GuestTree', () => {
  it('refuses a guest path that leaves the tree', () => {
    // Prepare
    const guest = new GuestTree();
    try {
      // Act
      const escape = () => guest.hostPath('/../../root/.ssh/authorized_keys');
      // Assess
      expect(escape).toThrow('outside the guest tree');
    } finally {
      guest.remove();
    }
  });
});
