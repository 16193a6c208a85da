#!/usr/bin/env node
// `npm run lint:electron`: Electronegativity (the Electron security scanner) over the repository's
// sources (build outputs are left out: they are scanned in their sources). Fails on any finding that is not reviewed and accepted in
// scripts/electronegativity-accepted.json (each explained in docs/security.md), and on an accepted
// entry that no longer occurs. Runs offline: the check that downloads Electron's release list is skipped
// (Electron's version is pinned in package.json and upgraded deliberately).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
/** Build outputs and caches, whatever is in them when the scan runs. */
const IGNORED = ['out/', 'dist/', 'node_modules/', 'test/.cache/', 'test-results/'];
const SKIPPED = ['AvailableSecurityFixesGlobalCheck'];
const cli = path.join(root, 'node_modules/@doyensec/electronegativity/dist/index.js');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const electronVersion = pkg.devDependencies.electron;
const { accepted } = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'electronegativity-accepted.json'), 'utf8'));
const securityDoc = fs.readFileSync(path.join(root, 'docs/security.md'), 'utf8');

/**
 * The findings of electronegativity's SARIF report. Its CSV writer is not used: it writes the header and
 * the rows with two racing async writes, and on a loaded machine the header overwrote the first row's
 * start (two CI runs failed on it). The SARIF report is written in one piece.
 */
function readSarif(text) {
  const report = JSON.parse(text);
  return (report.runs?.[0]?.results ?? []).map((r) => {
    const where = r.locations?.[0]?.physicalLocation;
    return {
      check: r.ruleId,
      level: r.level,
      file: where?.artifactLocation?.uri ?? '',
      location: `${where?.region?.startLine ?? 0}:${(where?.region?.startColumn ?? 1) - 1}`,
      description: r.message?.text ?? '',
    };
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-eng-'));
const out = path.join(tmp, 'report.sarif');
const run = spawnSync(
  process.execPath,
  [cli, '-i', root, '-r', '-e', electronVersion, '-x', SKIPPED.join(','), '-o', out, '-v', 'false'],
  { cwd: root, encoding: 'utf8' },
);
if (run.status !== 0 || !fs.existsSync(out)) {
  console.error(run.stdout, run.stderr);
  console.error(`electronegativity failed (exit ${run.status})`);
  process.exit(2);
}
let parsed;
try {
  parsed = readSarif(fs.readFileSync(out, 'utf8'));
} catch (error) {
  console.error(`electronegativity wrote a report that cannot be read (${error.message})`);
  process.exit(2);
}
const findings = parsed.filter((f) => !IGNORED.some((dir) => f.file.startsWith(dir)));
fs.rmSync(tmp, { recursive: true, force: true });

const isAccepted = (f) => accepted.some((a) => a.check === f.check && a.file === f.file);
const unreviewed = findings.filter((f) => !isAccepted(f));
const stale = accepted.filter((a) => !findings.some((f) => f.check === a.check && f.file === a.file));
const undocumented = accepted.filter((a) => !securityDoc.includes(a.check));

for (const f of findings)
  console.log(`${isAccepted(f) ? 'accepted ' : 'FINDING  '} ${f.check} ${f.level} ${f.file}:${f.location} ${f.description}`);
for (const a of stale) console.log(`STALE     ${a.check} ${a.file}: accepted but no longer reported; remove it from the list`);
for (const a of undocumented) console.log(`UNDOCUMENTED ${a.check}: accepted but not explained in docs/security.md`);
const failed = unreviewed.length + stale.length + undocumented.length;
console.log(
  `electronegativity ${electronVersion}: ${findings.length} findings, ${findings.length - unreviewed.length} accepted, ${unreviewed.length} unreviewed` +
    (stale.length ? `, ${stale.length} stale` : '') +
    (undocumented.length ? `, ${undocumented.length} undocumented` : ''),
);
process.exit(failed > 0 ? 1 : 0);
