/**
 * Signature nonces seen recently. A request is accepted while its timestamp is within the clock
 * skew, so a nonce must be remembered at least twice that long; older ones are forgotten in
 * arrival order, and the memory is capped so a long benchmark cannot grow it without bound.
 */
export interface NonceRegistry {
  /** False when `nonce` was already used by this access key. */
  claim(accessKeyId: string, nonce: string): boolean;
  clear(): void;
}

export function createNonceRegistry(rememberMs: number, maxRemembered = 200_000): NonceRegistry {
  const seen = new Map<string, number>();
  const forgetOld = (now: number): void => {
    for (const [key, expiresAt] of seen) {
      if (expiresAt > now && seen.size <= maxRemembered) break;
      seen.delete(key);
    }
  };
  return {
    claim(accessKeyId, nonce) {
      const now = Date.now();
      forgetOld(now);
      const key = `${accessKeyId}\n${nonce}`;
      if (seen.has(key)) return false;
      seen.set(key, now + rememberMs);
      return true;
    },
    clear: () => seen.clear(),
  };
}
