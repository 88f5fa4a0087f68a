import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
}

describe('house rules', () => {
  it('the domain imports no adapters, composition, API, CDK or AWS SDK', () => {
    const offenders: string[] = [];
    for (const file of files(join(root, 'functions', 'domain'))) {
      for (const spec of imports(file)) {
        if (
          /^@aws-sdk\/|^aws-cdk-lib|^constructs|\/adapters\/|\/composition\/|\/api\/|\.\.\/\.\.\/lib\//.test(
            spec,
          )
        ) {
          offenders.push(`${relative(root, file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no function code uses a DynamoDB Scan', () => {
    const offenders = files(join(root, 'functions')).filter((file) =>
      /ScanCommand|\.scan\(/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('only composition reads environment variables', () => {
    const offenders = files(join(root, 'functions'))
      .filter((file) => !file.includes(`${join('functions', 'composition')}`))
      .filter((file) => /process\.env/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
