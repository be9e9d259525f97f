/**
 * Every installed package must run on the Node.js this project states, so `npm ci` on it gives no
 * EBADENGINE warning, and what ships (the function bundle, the CLI) must accept the first Node.js
 * 20: FC's `nodejs20` runtime is documented only as "Node.js 20.x" (see docs/deploy.md).
 */
import { createRequire } from 'node:module';
import { readJson } from './support';

interface PackageManifest {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface LockEntry {
  dev?: boolean;
  engines?: { node?: string };
}

/** The part of `semver` this test uses; it comes with the toolchain, which ships no types for it. */
interface Semver {
  validRange(range: string): string | null;
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
}

const semver = createRequire(__filename)('semver') as Semver;
const project = readJson<PackageManifest>('package.json');
const lock = readJson<{ packages: Record<string, LockEntry> }>('package-lock.json');

/** The first release of the line FC's `nodejs20` runtime runs; its minor is not documented. */
const FC_NODE = '20.0.0';

/** Each installed package with an `engines.node`, named as npm names it in the lock. */
function nodeEngines(include: (entry: LockEntry) => boolean): Array<[string, string]> {
  return Object.entries(lock.packages).flatMap(([path, entry]) => {
    const range = entry.engines?.node;
    return path !== '' && range !== undefined && include(entry)
      ? [[path.replace(/^.*node_modules\//, ''), range]]
      : [];
  });
}

const refusing = (packages: Array<[string, string]>, version: string): string[] =>
  packages
    .filter(([, range]) => !semver.satisfies(version, range))
    .map(([name, range]) => `${name} (${range})`);

describe('Node.js engines', () => {
  it('states a Node.js 20 floor for the project', () => {
    // Prepare
    const range = project.engines?.node ?? '';

    // Act
    const floor = semver.minVersion(range)?.version;

    // Assess
    expect(floor).toMatch(/^20\./);
  });

  it('installs only packages that accept the Node.js the project states', () => {
    // Prepare
    const floor = semver.minVersion(project.engines?.node ?? '')?.version ?? '';
    const everything = nodeEngines(() => true);

    // Act
    const refused = refusing(everything, floor);

    // Assess
    expect(everything.length).toBeGreaterThan(0);
    expect(everything.filter(([, range]) => semver.validRange(range) === null)).toEqual([]);
    expect(refused).toEqual([]);
  });

  it("ships only packages that accept Node.js 20.0, whichever 20.x FC's nodejs20 runs", () => {
    // Prepare
    const shipped = nodeEngines((entry) => entry.dev !== true);

    // Act
    const refused = refusing(shipped, FC_NODE);

    // Assess
    expect(shipped.map(([name]) => name)).toContain('commander');
    expect(refused).toEqual([]);
  });

  it('reads the same engines from the installed direct dependencies as from the lock', () => {
    // Prepare
    const direct = Object.keys({ ...project.dependencies, ...project.devDependencies });

    // Act
    const mismatched = direct.filter((name) => {
      const installed = readJson<PackageManifest>('node_modules', name, 'package.json');
      return installed.engines?.node !== lock.packages[`node_modules/${name}`].engines?.node;
    });

    // Assess
    expect(mismatched).toEqual([]);
  });
});
