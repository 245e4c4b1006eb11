import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVoc, writeVoc } from '../../../main/core/interchange/voc';
import { SHARED_MISSING, sharedDataset } from '../../helpers/fixtures';

const kangaroo = sharedDataset('kangaroo');

describe('writeVoc', () => {
  it("writes labelImg's exact layout", () => {
    const xml = writeVoc({
      folder: 'imgs',
      filename: 'a.jpg',
      path: '/data/imgs/a.jpg',
      width: 640,
      height: 480,
      depth: 3,
      verified: true,
      boxes: [{ label: 'cat', xmin: 0, ymin: 12, xmax: 640, ymax: 480, difficult: false, truncated: true }],
    });
    expect(xml).toBe(
      [
        '<annotation verified="yes">',
        '\t<folder>imgs</folder>',
        '\t<filename>a.jpg</filename>',
        '\t<path>/data/imgs/a.jpg</path>',
        '\t<source>',
        '\t\t<database>Unknown</database>',
        '\t</source>',
        '\t<size>',
        '\t\t<width>640</width>',
        '\t\t<height>480</height>',
        '\t\t<depth>3</depth>',
        '\t</size>',
        '\t<segmented>0</segmented>',
        '\t<object>',
        '\t\t<name>cat</name>',
        '\t\t<pose>Unspecified</pose>',
        '\t\t<truncated>1</truncated>',
        '\t\t<difficult>0</difficult>',
        '\t\t<bndbox>',
        '\t\t\t<xmin>0</xmin>',
        '\t\t\t<ymin>12</ymin>',
        '\t\t\t<xmax>640</xmax>',
        '\t\t\t<ymax>480</ymax>',
        '\t\t</bndbox>',
        '\t</object>',
        '</annotation>',
        '',
      ].join('\n'),
    );
  });

  it('rounds (not truncates), keeps boxes inside the image, and escapes OCR text without altering it', () => {
    const text = '卡号 <6222> & "x"  y';
    const xml = writeVoc({
      folder: 'f',
      filename: 'a  b.jpg',
      path: '/f/a  b.jpg',
      width: 100,
      height: 50,
      depth: 3,
      verified: false,
      boxes: [
        { label: text, xmin: 9.6, ymin: -3, xmax: 120, ymax: 20.4, difficult: true, truncated: false },
        { label: 'sliver', xmin: 99.8, ymin: 10, xmax: 100, ymax: 10.3, difficult: false, truncated: false },
      ],
    });
    expect(xml).not.toContain('verified');
    const back = parseVoc(xml);
    expect(back.filename).toBe('a  b.jpg');
    expect(back.boxes).toEqual([
      { label: text, xmin: 10, ymin: 0, xmax: 100, ymax: 20, difficult: true, truncated: false },
      { label: 'sliver', xmin: 99, ymin: 10, xmax: 100, ymax: 11, difficult: false, truncated: false },
    ]);
  });
});

describe('reading what real tools write', () => {
  it('reads CVAT 1.1 VOC (occluded, float coordinates, attributes)', () => {
    const cvat = `<?xml version="1.0" encoding="utf-8"?>
<annotation>
  <folder></folder>
  <filename>frame_000001.PNG</filename>
  <source><database>Unknown</database><annotation>Unknown</annotation><image>Unknown</image></source>
  <size><width>1920</width><height>1080</height><depth></depth></size>
  <segmented>0</segmented>
  <object>
    <name>car</name>
    <truncated>0</truncated>
    <occluded>1</occluded>
    <difficult>0</difficult>
    <bndbox><xmin>10.51</xmin><ymin>20.25</ymin><xmax>300.0</xmax><ymax>400.75</ymax></bndbox>
    <attributes><attribute><name>color</name><value>red</value></attribute></attributes>
  </object>
</annotation>`;
    expect(parseVoc(cvat)).toEqual({
      filename: 'frame_000001.PNG',
      size: { width: 1920, height: 1080, depth: null },
      verified: false,
      boxes: [{ label: 'car', xmin: 10.51, ymin: 20.25, xmax: 300, ymax: 400.75, difficult: false, truncated: false }],
    });
  });

  it('reads VOC2007 devkit files (owner, pose, flags)', () => {
    const voc2007 = `<annotation>
	<folder>VOC2007</folder>
	<filename>000005.jpg</filename>
	<source><database>The VOC2007 Database</database><annotation>PASCAL VOC2007</annotation><image>flickr</image><flickrid>325991873</flickrid></source>
	<owner><flickrid>archintent louisville</flickrid><name>?</name></owner>
	<size><width>500</width><height>375</height><depth>3</depth></size>
	<segmented>0</segmented>
	<object><name>chair</name><pose>Rear</pose><truncated>0</truncated><difficult>0</difficult><bndbox><xmin>263</xmin><ymin>211</ymin><xmax>324</xmax><ymax>339</ymax></bndbox></object>
	<object><name>chair</name><pose>Unspecified</pose><truncated>1</truncated><difficult>1</difficult><bndbox><xmin>5</xmin><ymin>244</ymin><xmax>67</xmax><ymax>374</ymax></bndbox></object>
</annotation>`;
    const v = parseVoc(voc2007);
    expect(v.boxes.map((b) => [b.label, b.difficult, b.truncated])).toEqual([
      ['chair', false, false],
      ['chair', true, true],
    ]);
  });
});

describe.skipIf(!kangaroo)('kangaroo round trip', () => {
  it('every XML survives read → write → read unchanged', () => {
    if (!kangaroo) return console.warn(SHARED_MISSING);
    const files = readdirSync(kangaroo).filter((f) => f.endsWith('.xml'));
    expect(files).toHaveLength(164);
    let boxes = 0;
    for (const f of files) {
      const first = parseVoc(readFileSync(join(kangaroo, f)));
      const written = writeVoc({ folder: 'kangaroo', filename: f.replace('.xml', '.jpg'), path: `/x/${f}`, width: first.size!.width, height: first.size!.height, depth: 3, verified: first.verified, boxes: first.boxes });
      const second = parseVoc(written);
      expect(second.boxes, f).toEqual(first.boxes);
      expect(second.size, f).toEqual({ ...first.size!, depth: 3 });
      boxes += second.boxes.length;
    }
    expect(boxes).toBe(266);
  });
});
