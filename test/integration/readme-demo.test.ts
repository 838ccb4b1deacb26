/**
 * The README's main command, as a newcomer runs it: `npx hps demo` after the package is built the way `npm ci`
 * builds it (its `prepare` script). Runs the installed bin as a child process, so a bin that is not executable,
 * a missing shebang or a build that leaves out the bundled demo files fails here; and checks that the output the
 * README shows is what the demo prints.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/config/load.js';
import { htmlReportRows } from '../support/report-data.js';

const run = promisify(execFile);
const ROOT = path.resolve('.');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** The rows of the README's first ```text block: table rows and summary lines, without run ids and temp paths. */
function readmeDemoLines(readme: string): string[] {
  const block = /## Try it[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has a ```text block with the demo output under "## Try it"');
  return block
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0 && l.trim() !== '…' && !/^Reconcile: run |^\s+\/tmp\//.test(l));
}

/**
 * A line as compared: a report row by its fixed columns (user, status, distance, route), and a corrupt photo's
 * reason without libvips' detail, which depends on which decoder thread reported it.
 */
function rowKey(line: string): string {
  const m = /^(\S+@\S+)\s+(\S+)\s+([\d.]*)\s+(graph|exchange)\s/.exec(line);
  return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]}` : line.replace(/(corrupt or truncated).*$/, '$1');
}

describe('README main command: npx hps demo on a fresh build', function () {
  this.timeout(180_000);
  let outDir: string;
  let stdout = '';
  let stderr = '';

  before(async function () {
    outDir = await mkdtemp(path.join(tmpdir(), 'hps-readme-demo-'));
    // What `npm ci` runs for a git checkout: the prepare script, i.e. the build.
    await run(NPM, ['run', 'build'], { cwd: ROOT, timeout: 150_000 });
    const res = await run(NPX, ['hps', 'demo', '--out-dir', outDir], {
      cwd: ROOT,
      timeout: 120_000,
      env: { ...process.env, HPS_LOG_LEVEL: 'info' },
    });
    stdout = res.stdout;
    stderr = res.stderr;
  });

  after(async function () {
    await rm(outDir, { recursive: true, force: true });
  });

  it('installs every bin as an executable node script', async function () {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.deepEqual(Object.keys(pkg.bin).sort(), ['hps', 'hybrid-photo-sync']);
    for (const [name, file] of Object.entries(pkg.bin)) {
      const full = path.join(ROOT, file);
      assert.ok(existsSync(full), `${name}: ${file} exists after the build`);
      if (process.platform !== 'win32') assert.ok((statSync(full).mode & 0o111) !== 0, `${name}: ${file} is executable`);
      assert.match(await readFile(full, 'utf8'), /^#!\/usr\/bin\/env node\n/, `${name}: ${file} starts with a node shebang`);
    }
  });

  it('the README names this command', async function () {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    assert.match(readme, /```sh\nnpm ci && npx hps demo\n```/);
    assert.match(readme, /```sh\nnpm test\n```/);
  });

  it('reports, reconciles and reports again, as the README shows', async function () {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const printed = new Set(stdout.split('\n').map((l) => rowKey(l.trimEnd())));
    for (const line of readmeDemoLines(readme)) {
      assert.ok(printed.has(rowKey(line)), `the demo prints the README's line:\n  ${line}\n--- stdout ---\n${stdout}`);
    }
    assert.match(stdout, /^12 users: in-sync 4, drifted 2, missing-in-cloud 3, missing-in-source 1, unmatched 1, error 1$/m);
    assert.match(stdout, /5 written, 0 failed\.$/m);
    assert.match(stdout, /^12 users: in-sync 9, missing-in-source 1, unmatched 1, error 1$/m);
    assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace on stderr');
  });

  it('leaves the files it lists, and the JSON report agrees with the table', async function () {
    const files = stdout
      .split('\n')
      .filter((l) => l.startsWith(`  ${outDir}`))
      .map((l) => l.trim());
    assert.deepEqual(
      files.map((f) => path.basename(f)).sort(),
      ['audit.jsonl', 'hybrid-photo-sync.config.json', 'report-after.html', 'report-after.json', 'report-before.html', 'state.db'],
    );
    for (const f of files) assert.ok(statSync(f).size > 0, `${f} is not empty`);
    const after = JSON.parse(await readFile(path.join(outDir, 'report-after.json'), 'utf8')) as {
      summary: Record<string, number>;
      users: Array<{ status: string }>;
    };
    assert.equal(after.summary['total'], 12);
    assert.equal(after.summary['in-sync'], 9);
    assert.equal(after.users.filter((u) => u.status === 'in-sync').length, 9);
    const cfgFile = path.join(outDir, 'hybrid-photo-sync.config.json');
    assert.doesNotThrow(() => parseConfig(JSON.parse(readFileSync(cfgFile, 'utf8')), cfgFile, outDir), 'the config it wrote is valid');
    // The visual report shows the drifted users' two photos side by side (the README's screenshot).
    const before = htmlReportRows(await readFile(path.join(outDir, 'report-before.html'), 'utf8'));
    const drifted = before.filter((r) => r.status === 'drifted');
    assert.equal(drifted.length, 2);
    assert.ok(drifted.every((r) => r.source?.startsWith('data:image/webp;base64,') && r.cloud?.startsWith('data:image/webp;base64,')));
    assert.ok(before.filter((r) => r.status === 'in-sync').every((r) => !r.source && !r.cloud), 'no thumbnails for in-sync users');
    assert.ok(existsSync(path.join(ROOT, 'docs', 'img', 'demo-report.png')), 'the README screenshot exists');
    const audit = (await readFile(path.join(outDir, 'audit.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(audit.map((l) => JSON.parse(l) as { result?: string }).filter((e) => e.result === 'ok').length, 5);
  });
});
