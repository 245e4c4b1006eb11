import { rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StudioError, type ImageDetail } from '../../shared/api';
import { sql, type Db } from '../workspace/db';
import type { DatasetRef } from './exporter';
import { withoutExt } from './formats/names';
import { writeVoc } from './voc';

/**
 * Writes an image's annotation as its VOC sidecar (the seed's OSS layout), atomically, and records the
 * file so a re-index sees it as unchanged. Images are never touched, and an annotation file that failed
 * to parse is never overwritten: the user's file may hold work we could not read.
 */
export async function writeSidecar(db: Db, ds: DatasetRef, image: ImageDetail): Promise<void> {
  const row = sql(db, 'SELECT xml_path, xml_error FROM images WHERE id = ?').get(image.id) as { xml_path: string | null; xml_error: string | null };
  if (row.xml_error !== null) {
    throw new StudioError(
      'conflict',
      `${row.xml_path} could not be read (${row.xml_error}), so it is kept as it is and not overwritten; fix or remove it and re-index`,
      'imageId',
    );
  }
  const rel = row.xml_path ?? `${withoutExt(image.path)}.xml`;
  const file = join(ds.root, rel);
  const imageFile = join(ds.root, image.path);
  const xml = writeVoc({
    folder: basename(dirname(imageFile)),
    filename: basename(image.path),
    path: imageFile,
    width: image.width!,
    height: image.height!,
    depth: 3,
    verified: image.reviewed,
    boxes: image.boxes,
  });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, xml);
    await rename(tmp, file);
  } catch (err) {
    throw new StudioError('io_error', `cannot write ${rel}: ${(err as Error).message}`, 'imageId');
  }
  const st = await stat(file);
  sql(db, 'UPDATE images SET xml_path = ?, xml_size = ?, xml_mtime_ms = ?, xml_error = NULL WHERE id = ?').run(rel, st.size, st.mtimeMs, image.id);
}
