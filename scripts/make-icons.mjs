#!/usr/bin/env node
// Renders resources/icon.svg into the app icons the window and electron-builder need:
// resources/icons/NxN.png (Linux, the window), resources/icon.png (1024), resources/icon.ico (Windows,
// PNG entries), resources/icon.icns (macOS). Needs rsvg-convert (librsvg2-bin) and png2icns (icnsutils).
// The outputs are committed; run this only after changing the SVG.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const resources = path.resolve(import.meta.dirname, '..', 'resources');
const svg = path.join(resources, 'icon.svg');
const iconsDir = path.join(resources, 'icons');
fs.mkdirSync(iconsDir, { recursive: true });

const render = (size, file) => execFileSync('rsvg-convert', ['-w', String(size), '-h', String(size), svg, '-o', file]);

const linuxSizes = [16, 24, 32, 48, 64, 128, 256, 512];
for (const size of linuxSizes) render(size, path.join(iconsDir, `${size}x${size}.png`));
render(1024, path.join(resources, 'icon.png'));

/** An ICO file whose entries are PNG images (Windows Vista and later read these). */
function icoFromPngs(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, data }, i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt8(0, at + 3);
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(data.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.data)]);
}
const icoSizes = [16, 24, 32, 48, 64, 128, 256];
const ico = icoFromPngs(icoSizes.map((size) => ({ size, data: fs.readFileSync(path.join(iconsDir, `${size}x${size}.png`)) })));
fs.writeFileSync(path.join(resources, 'icon.ico'), ico);

// png2icns picks the icns slot from each PNG's size (16, 32, 48, 128, 256, 512, 1024 are accepted).
execFileSync('png2icns', [
  path.join(resources, 'icon.icns'),
  ...[16, 32, 48, 128, 256, 512].map((s) => path.join(iconsDir, `${s}x${s}.png`)),
  path.join(resources, 'icon.png'),
]);
console.log(`icons written to ${resources}`);
