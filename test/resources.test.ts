// The owner's top-level layout and the app icons that the window and the installers use.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WINDOW_ICON, windowIconPath } from '../src-main/electron/app-icon.ts';

const root = path.resolve(import.meta.dirname, '..');
const resources = path.join(root, 'resources');

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk header). */
function pngSize(data: Buffer): [number, number] {
  expect(data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(data.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

describe('the repository layout', () => {
  it('has every top-level entry the owner fixed', () => {
    for (const entry of ['package.json', 'electron.config.ts', 'src-main', 'src-renderer', 'native', 'resources', 'test']) {
      expect(fs.existsSync(path.join(root, entry)), entry).toBe(true);
    }
  });
});

describe('app icons', () => {
  it('every resources/ path that electron-builder.yml names exists', () => {
    const config = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    const named = [...config.matchAll(/\bresources\/[\w./-]+/g)].map((m) => m[0]);
    expect(named).toEqual(expect.arrayContaining(['resources/icons', 'resources/icon.icns', 'resources/icon.ico']));
    for (const file of named) expect(fs.existsSync(path.join(root, file)), file).toBe(true);
  });

  it('the Linux icon set is square PNGs of the size each name says, and icon.png is 1024 px', () => {
    const files = fs.readdirSync(path.join(resources, 'icons'));
    expect(files).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '256x256.png', '512x512.png']));
    for (const file of files) {
      const [w, h] = file.split('.')[0]!.split('x').map(Number);
      expect(pngSize(fs.readFileSync(path.join(resources, 'icons', file))), file).toEqual([w, h]);
    }
    expect(pngSize(fs.readFileSync(path.join(resources, 'icon.png')))).toEqual([1024, 1024]);
  });

  it('icon.ico holds PNG entries whose directory sizes match the images, up to 256 px', () => {
    const ico = fs.readFileSync(path.join(resources, 'icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = 6 + 16 * i;
      const declared = ico.readUInt8(at) || 256;
      const length = ico.readUInt32LE(at + 8);
      const offset = ico.readUInt32LE(at + 12);
      expect(pngSize(ico.subarray(offset, offset + length))).toEqual([declared, declared]);
      sizes.push(declared);
    }
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });

  it('icon.icns is an icns container of its own length', () => {
    const icns = fs.readFileSync(path.join(resources, 'icon.icns'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
  });

  it('the window finds its icon from a checkout and inside a packaged app', () => {
    expect(fs.existsSync(windowIconPath({ isPackaged: false, appPath: root, resourcesPath: '/nowhere' }))).toBe(true);
    expect(
      windowIconPath({ isPackaged: true, appPath: '/opt/Cadenza/resources/app.asar', resourcesPath: '/opt/Cadenza/resources' }),
    ).toBe('/opt/Cadenza/resources/icon.png');
    const config = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(config).toContain(`from: resources/${WINDOW_ICON}`);
    expect(config).toMatch(/to: icon\.png/);
  });
});
