// Backups of the embedded database: an image of PGlite's data directory (a gzip'd tar, as PGlite
// dumps it), taken while the hub runs, and unpacked into a data directory by `restore` as it is
// read, so that the image is never held whole in memory.
import { type PGlite, protocol } from '@electric-sql/pglite';
import { mkdir, open } from 'node:fs/promises';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { constants, createGunzip, gunzipSync, gzip } from 'node:zlib';
import { Unpack } from 'tar';

/**
 * The database as of its last commit. PGlite's dumpDataDir takes only its query lock, so on its
 * own it could copy the files between two statements of an open transaction; under the
 * transaction lock, as src/db/pglite-statements.ts takes it, none is open. CHECKPOINT first writes
 * every committed page to the files, so the image needs no replay of the write-ahead log. Inside
 * that lock pglite.exec() would wait for the lock itself, hence the bare protocol message. The tar
 * is gzip'd after the lock is let go, off the event loop: for a 263 MB data directory PGlite's own
 * gzip held the database 6.7 s, the copy alone 1.0 s.
 */
export async function backupImage(pglite: PGlite): Promise<Buffer> {
  await pglite._checkReady();
  const tar = await pglite._runExclusiveTransaction(async () => {
    await pglite._runExclusiveQuery(() => pglite.execProtocol(protocol.serialize.query('CHECKPOINT')));
    return pglite.dumpDataDir('none');
  });
  return promisify(gzip)(new Uint8Array(await tar.arrayBuffer()));
}

/** How much of a backup is unpacked to tell it is one: PGlite's tar lists the top directory's PG_VERSION first. */
const LOOKED_AT = 64 * 1024;

/**
 * Whether `start`, the first bytes of a file, begin such an image: a gzip'd tar holding a PostgreSQL
 * data directory (its PG_VERSION at the top).
 */
export function isBackupImage(start: Buffer): boolean {
  let tar: Buffer;
  try {
    tar = gunzipSync(start.subarray(0, LOOKED_AT), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return false;
  }
  const field = (offset: number, length: number) => tar.subarray(offset, offset + length).toString('latin1').replace(/\0[^]*$/, '');
  for (let header = 0; header + 512 <= tar.length; ) {
    const name = field(header, 100);
    if (!name || !field(header + 257, 6).startsWith('ustar')) return false;
    if (name.replace(/^\.?\//, '') === 'PG_VERSION') return true;
    const size = parseInt(field(header + 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size)) return false;
    header += 512 + Math.ceil(size / 512) * 512;
  }
  return false;
}

/**
 * The backup in `file` as a stream, or null when its start is not one. The file is read once, front
 * to back (its start is checked, then sent on ahead of the rest), so it may also be a pipe.
 */
export async function openImage(file: string): Promise<Readable | null> {
  const handle = await open(file);
  const start = Buffer.alloc(LOOKED_AT);
  let length = 0;
  try {
    for (let read = -1; read !== 0 && length < LOOKED_AT; length += read) ({ bytesRead: read } = await handle.read(start, length, LOOKED_AT - length, null));
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (!isBackupImage(start.subarray(0, length))) {
    await handle.close();
    return null;
  }
  const image = new PassThrough();
  image.write(start.subarray(0, length));
  pipeline(handle.createReadStream(), image, () => {}); // a failure reaches whoever reads `image`
  return image;
}

/**
 * Unpacks an image into `pgDir`, as it arrives. node-tar keeps paths inside `pgDir` (PGlite's
 * own names start with '/', which it strips and tells as TAR_ENTRY_INFO; `..` it refuses); only
 * files and directories are taken, so no link in a crafted file points PostgreSQL elsewhere. Any
 * other warning (cut short, not a tar, a refused entry) fails the whole: half a database is none.
 * It answers only once node-tar has closed every file it opened, even when the image fails
 * part-way (node-tar is then ended, as if the image were cut short): a write landing after the
 * caller removed the half-restored copy, and put back the database that was there, would be into
 * that one. Gunzipped by zlib, not node-tar, whose abort on a bad gzip would never close.
 */
export async function extractImage(image: Readable, pgDir: string): Promise<void> {
  await mkdir(pgDir, { recursive: true });
  let damage: string | undefined;
  const unpack = new Unpack({
    cwd: pgDir,
    preserveOwner: false,
    filter: (_path, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
    onwarn: (code, message) => {
      if (code !== 'TAR_ENTRY_INFO') damage ??= message;
    },
  });
  await new Promise((done, failed) => {
    unpack.on('close', done);
    unpack.on('error', failed);
    const gunzip = createGunzip();
    gunzip.on('error', (error) => {
      damage ??= error.message;
      gunzip.unpipe(unpack);
      unpack.end();
    });
    image.on('error', (error) => gunzip.destroy(error));
    image.pipe(gunzip).pipe(unpack);
  });
  if (damage) throw new Error(damage);
}

/** A UTC time for a file name: 20260824T130502Z. */
export const fileTimestamp = (at: Date) => at.toISOString().replace(/[-:]|\.\d+/g, '');
