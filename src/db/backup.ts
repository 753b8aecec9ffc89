// Backups of the embedded database: an image of PGlite's data directory (a gzip'd tar laid out as
// PGlite's dumpDataDir lays it out: the directory's files at the top, PG_VERSION first), taken
// while the hub runs, and unpacked into a data directory by `restore`. Both ways stream: neither
// the database nor the image is ever held whole in memory (a 1–2 GB database would be gigabytes).
import { type PGlite, protocol } from '@electric-sql/pglite';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, lstat, mkdir, open, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PassThrough, pipeline, Readable, Transform } from 'node:stream';
import { constants, createGunzip, createGzip, gunzipSync } from 'node:zlib';
import { Header, Pax, Unpack } from 'tar';

/** The copies this process is sending, by path: any other beside the data directory was left by a hub that stopped mid-backup. */
const sending = new Set<string>();

/**
 * The database as of its last commit, as a stream of the gzip'd tar. Under the transaction lock,
 * as src/db/pglite-statements.ts takes it, no transaction is open; under the query lock too, no
 * statement (pg-boss's included) writes while the files are copied. CHECKPOINT first writes every
 * committed page to the files, so the image needs no replay of the write-ahead log. Inside those
 * locks pglite.exec() would wait for them itself, hence the bare protocol message. The locks are
 * held only while the files are copied, beside the data directory (the same file system, not
 * os.tmpdir(), which may be small or another disk; about the size of the data directory); the
 * tar is made from that copy after they are let go, and gzip'd on zlib's threads. The copy is
 * removed before the stream ends, and when it fails or its reader goes away.
 */
export async function backupImage(pglite: PGlite): Promise<Readable> {
  const pgDir = filesOf(pglite);
  const prefix = `${basename(pgDir)}.backup-in-progress-`;
  const copy = join(dirname(pgDir), prefix + randomUUID());
  sending.add(copy); // before the look for stale copies, so that of a backup taken at the same time does not find this one
  const remove = () => rm(copy, { recursive: true, force: true }).finally(() => sending.delete(copy));
  let names: string[];
  try {
    const stale = (await readdir(dirname(pgDir))).map((name) => join(dirname(pgDir), name)).filter((path) => basename(path).startsWith(prefix) && !sending.has(path));
    await Promise.all(stale.map((path) => rm(path, { recursive: true, force: true })));
    await pglite._checkReady();
    await pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(async () => {
        await pglite.execProtocol(protocol.serialize.query('CHECKPOINT'));
        await cp(pgDir, copy, { recursive: true });
      }),
    );
    names = await readdir(copy);
  } catch (error) {
    await remove();
    throw error;
  }
  const tar = Readable.from(tarOf(copy, ['PG_VERSION', ...names.filter((name) => name !== 'PG_VERSION').sort()]), { objectMode: false });
  // Removed before the last byte goes out, so a finished download has left nothing behind.
  const removedFirst = new Transform({ transform: (chunk, _, next) => next(null, chunk), flush: (done) => void remove().then(() => done(), done) });
  return pipeline(tar, createGzip(), removedFirst, (error) => void (error && remove()));
}

/**
 * A tar of the files under `dir`, each directory's entry before what it holds, as PGlite's
 * dumpDataDir lists them (but named relative to it, not from '/'). node-tar writes the headers;
 * each file is read by a stream of its own, which closes the file when the tar is given up
 * part-way. node-tar's Pack would keep that file open, and its disk space taken, until the hub stops.
 */
async function* tarOf(dir: string, names: string[]): AsyncGenerator<Buffer> {
  yield* entries(dir, names);
  yield Buffer.alloc(1024); // the end of the tar
}

async function* entries(dir: string, names: string[]): AsyncGenerator<Buffer> {
  for (const name of names) {
    const path = join(dir, name);
    const stat = await lstat(path);
    const directory = stat.isDirectory();
    const size = directory ? 0 : stat.size;
    const header = new Header({ path: directory ? `${name}/` : name, type: directory ? 'Directory' : 'File', mode: stat.mode & 0o7777, size, mtime: stat.mtime });
    if (header.encode()) yield new Pax({ path: header.path, size, mtime: stat.mtime }).encode(); // a name too long for the header alone
    yield header.block!;
    if (directory) {
      yield* entries(dir, (await readdir(path)).sort().map((child) => `${name}/${child}`));
    } else if (size > 0) {
      yield* createReadStream(path);
      yield Buffer.alloc(-size & 511); // to the next 512-byte block
    }
  }
}

/** Where PGlite keeps the files: the hub opens it on a directory (src/db/database.ts), whose writes go through to the disk. */
function filesOf(pglite: PGlite): string {
  if (!pglite.dataDir || pglite.dataDir.includes('://')) throw new Error('This PGlite keeps its database in memory: there are no files to back up.');
  return pglite.dataDir;
}

/** How much of a backup is unpacked to tell it is one: PGlite's tar, and ours, list the top directory's PG_VERSION first. */
const LOOKED_AT = 64 * 1024;

/**
 * Whether `start`, the first bytes of a file, begin such an image: a gzip'd tar holding a PostgreSQL
 * data directory (its PG_VERSION at the top). node-tar reads each header, checksum included.
 */
function isBackupImage(start: Buffer): boolean {
  let tar: Buffer;
  try {
    tar = gunzipSync(start.subarray(0, LOOKED_AT), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return false;
  }
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = new Header(tar.subarray(offset, offset + 512));
    if (header.nullBlock || !header.cksumValid || !header.path) return false;
    if (header.path.replace(/^\.?\//, '') === 'PG_VERSION') return true;
    offset += 512 + Math.ceil((header.size ?? 0) / 512) * 512;
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
