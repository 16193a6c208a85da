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

/** The rows of electronegativity's CSV report (quoted fields may hold commas and doubled quotes). */
function parseCsv(text) {
  const rows = [];
  for (const line of text.split('\n').slice(1)) {
    if (!line.trim()) continue;
    const fields = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        fields.push(field.trim());
        field = '';
      } else field += c;
    }
    fields.push(field.trim());
    rows.push({
      check: fields[0],
      severity: fields[1],
      confidence: fields[2],
      file: fields[3],
      location: fields[4],
      description: fields[6],
    });
  }
  return rows;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-eng-'));
const out = path.join(tmp, 'report.csv');
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
// A finding's snippet may span lines in the report, leaving a line that is not a row (no check name, no
// file): it cannot name a file to review, so it is reported and skipped (it failed the lint on one CI run).
const isRow = (f) => /^[A-Z][A-Z0-9_]*$/.test(f.check ?? '') && typeof f.file === 'string' && f.file !== '';
const parsed = parseCsv(fs.readFileSync(out, 'utf8'));
for (const f of parsed.filter((r) => !isRow(r)))
  console.warn(`electronegativity: skipped a report line that is not a row: ${JSON.stringify(f.check)}`);
const findings = parsed.filter(isRow).filter((f) => !IGNORED.some((dir) => f.file.startsWith(dir)));
fs.rmSync(tmp, { recursive: true, force: true });

const isAccepted = (f) => accepted.some((a) => a.check === f.check && a.file === f.file);
const unreviewed = findings.filter((f) => !isAccepted(f));
const stale = accepted.filter((a) => !findings.some((f) => f.check === a.check && f.file === a.file));
const undocumented = accepted.filter((a) => !securityDoc.includes(a.check));

for (const f of findings)
  console.log(
    `${isAccepted(f) ? 'accepted ' : 'FINDING  '} ${f.check} ${f.severity}/${f.confidence} ${f.file}:${f.location} ${f.description}`,
  );
for (const a of stale) console.log(`STALE     ${a.check} ${a.file}: accepted but no longer reported; remove it from the list`);
for (const a of undocumented) console.log(`UNDOCUMENTED ${a.check}: accepted but not explained in docs/security.md`);
const failed = unreviewed.length + stale.length + undocumented.length;
console.log(
  `electronegativity ${electronVersion}: ${findings.length} findings, ${findings.length - unreviewed.length} accepted, ${unreviewed.length} unreviewed` +
    (stale.length ? `, ${stale.length} stale` : '') +
    (undocumented.length ? `, ${undocumented.length} undocumented` : ''),
);
process.exit(failed > 0 ? 1 : 0);
