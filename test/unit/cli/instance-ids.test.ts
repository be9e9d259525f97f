import { UsageError } from '../../../cli/errors';
import {
  parseInstanceIdList,
  parseInstancesFile,
  requireInstanceIds,
  uniqueInOrder,
} from '../../../cli/instance-ids';

describe('parseInstanceIdList', () => {
  it('splits on commas and drops blanks', () => {
    // Prepare
    const flag = ' i-a, i-b,,i-c ,';

    // Act
    const ids = parseInstanceIdList(flag);

    // Assess
    expect(ids).toEqual(['i-a', 'i-b', 'i-c']);
  });
});

describe('parseInstancesFile', () => {
  it('reads one id a line, skipping blank lines and comments', () => {
    // Prepare
    const text = '# leaked key, web tier\ni-a\r\n\n  i-b  \n#i-ignored\ni-c\n';

    // Act
    const ids = parseInstancesFile(text, 'ids.txt');

    // Assess
    expect(ids).toEqual(['i-a', 'i-b', 'i-c']);
  });

  it('reads a JSON array of strings', () => {
    // Prepare
    const text = '\n ["i-a", " i-b ", ""]';

    // Act
    const ids = parseInstancesFile(text, 'ids.json');

    // Assess
    expect(ids).toEqual(['i-a', 'i-b']);
  });

  it.each([
    ['[i-a]', /not valid JSON/],
    ['["i-a", 3]', /JSON array of instance id strings/],
  ])('refuses %s as bad usage', (text, message) => {
    // Prepare
    const parse = (): string[] => parseInstancesFile(text, 'ids.json');

    // Act
    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });
});

describe('uniqueInOrder', () => {
  it('keeps the first occurrence of each id', () => {
    // Prepare
    const ids = ['i-b', 'i-a', 'i-b', 'i-c', 'i-a'];

    // Act
    const unique = uniqueInOrder(ids);

    // Assess
    expect(unique).toEqual(['i-b', 'i-a', 'i-c']);
  });
});

describe('requireInstanceIds', () => {
  it('accepts ids the function accepts', () => {
    // Prepare
    const ids = ['i-bp1d6tsvznfghy7y0001', 'i-12345678'];

    // Act
    const check = (): void => requireInstanceIds(ids);

    // Assess
    expect(check).not.toThrow();
  });

  it('names the first few bad ids and counts the rest', () => {
    // Prepare
    const bad = ['i-short', 'I-BP1D6TSVZNFGHY7Y0001', 'bp1d6tsvznfghy7y0001', 'i-a', 'i-b', 'i-c'];
    const ids = ['i-bp1d6tsvznfghy7y0001', ...bad, `i-${'a'.repeat(33)}`];

    // Act
    const check = (): void => requireInstanceIds(ids);

    // Assess
    expect(check).toThrow(UsageError);
    expect(check).toThrow(
      '7 of 8 ids are not instance ids such as i-bp1d6tsvznfghy7y1234: "i-short", "I-BP1D6TSVZNFGHY7Y0001", "bp1d6tsvznfghy7y0001", "i-a", "i-b", and 2 more; nothing was sent',
    );
  });
});
