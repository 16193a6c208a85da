import { open, type FileHandle } from 'node:fs/promises';

/** Random-access reads of one file, counting the bytes read. */
export class FileReader {
  bytesRead = 0;
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<FileReader> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw Object.assign(new Error(`not a regular file: ${path}`), { code: 'EISDIR' });
      return new FileReader(fh, st.size, path);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const off = Math.max(0, Math.floor(offset));
    const len = Math.max(0, Math.min(Math.floor(length), this.size - off));
    if (len <= 0) return new Uint8Array(0);
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, off + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.bytesRead += got;
    return new Uint8Array(buf.buffer, buf.byteOffset, got);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
