// A bound on what one client can make the emulated service hold: vscode-jsonrpc's reader buffers a frame whole,
// whatever its Content-Length says, so a client announcing a gigabyte would make the service hold a gigabyte.
import { Transform, TransformCallback } from 'node:stream';

/** The largest frame the service reads: its requests are small (the largest, a Backup Components Document, is KBs). */
export const MaxFrameBytes = 16 << 20;
/** The largest header block: one Content-Length line, perhaps a Content-Type. */
const MaxHeaderBytes = 8 << 10;

/** The error a frame past the limit ends its connection with. */
export class FrameTooLarge extends Error {
  constructor(readonly bytes: number | null) {
    super(bytes === null ? `a frame header longer than ${MaxHeaderBytes} bytes` : `a frame of ${bytes} bytes, past the limit of ${MaxFrameBytes}`);
  }
}

/**
 * Passes Content-Length framed messages through unchanged, and fails (FrameTooLarge) as soon as a header announces
 * a body past MaxFrameBytes, or a header block outgrows MaxHeaderBytes, before any of the body is held. A header
 * without a readable Content-Length is passed on as it is, for the reader to refuse in its own words.
 */
export class FrameLimit extends Transform {
  private header: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private passThrough = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let data: Buffer = chunk;
    while (data.length > 0) {
      if (this.passThrough) {
        this.push(data);
        break;
      }
      if (this.remaining > 0) {
        const body = data.subarray(0, this.remaining);
        this.push(body);
        this.remaining -= body.length;
        data = data.subarray(body.length);
        continue;
      }
      this.header = this.header.length ? Buffer.concat([this.header, data]) : data;
      data = Buffer.alloc(0);
      const end = this.header.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.header.length > MaxHeaderBytes) return done(new FrameTooLarge(null));
        break;
      }
      const head = this.header.subarray(0, end + 4);
      const length = /(?:^|\r\n)content-length:[ \t]*(\d+)[ \t]*(?:\r\n|$)/i.exec(head.toString('ascii'));
      if (!length) this.passThrough = true;
      else if (Number(length[1]) > MaxFrameBytes) return done(new FrameTooLarge(Number(length[1])));
      else this.remaining = Number(length[1]);
      this.push(head);
      data = this.header.subarray(end + 4);
      this.header = Buffer.alloc(0);
    }
    done();
  }
}
