import { chunked } from '../../functions/detach-key-pair/src/values';

describe('chunked', () => {
  it('splits 2,000 ids into four invocations of 500, in order', () => {
    // Prepare
    const ids = Array.from({ length: 2000 }, (_, i) => `i-${i}`);

    // Act
    const chunks = chunked(ids, 500);

    // Assess
    expect(chunks.map((c) => c.length)).toEqual([500, 500, 500, 500]);
    expect(chunks.flat()).toEqual(ids);
  });

  it('leaves a shorter last chunk', () => {
    // Prepare
    const ids = ['a', 'b', 'c', 'd', 'e'];

    // Act
    const chunks = chunked(ids, 2);

    // Assess
    expect(chunks).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('refuses a size below one', () => {
    // Prepare
    const split = (): string[][] => chunked(['a'], 0);

    // Act
    // Assess
    expect(split).toThrow(RangeError);
  });
});
