import { describe, expect, it } from 'vitest';
import { parseVoc, VocError } from '../../../main/core/interchange/voc';
import { vocXml } from '../../helpers/fixtures';

describe('parseVoc', () => {
  it('reads labelImg output', () => {
    const v = parseVoc(vocXml('a.jpg', 640, 480, [['cat', 1, 2, 30, 40]]));
    expect(v).toEqual({
      filename: 'a.jpg',
      size: { width: 640, height: 480, depth: 3 },
      verified: false,
      boxes: [{ label: 'cat', xmin: 1, ymin: 2, xmax: 30, ymax: 40, difficult: false, truncated: false }],
    });
  });

  it("reads AutoLearning's element order, a BOM, floats, and names that look like numbers", () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="utf-8"?><annotation verified="yes"><size><width>1280</width><height>720</height><depth>3</depth></size>
      <object><name>1860000000</name><bndbox><xmin>842.5</xmin><xmax>1009</xmax><ymin>138</ymin><ymax>171.25</ymax></bndbox><truncated>1</truncated><difficult>1</difficult></object>
      <object><name>a &amp; b &lt;c&gt;  两个空格</name><bndbox><xmin>1</xmin><xmax>2</xmax><ymin>1</ymin><ymax>2</ymax></bndbox></object><segmented>0</segmented></annotation>`;
    const v = parseVoc(Buffer.from(xml));
    expect(v.verified).toBe(true);
    expect(v.boxes[0]).toEqual({ label: '1860000000', xmin: 842.5, ymin: 138, xmax: 1009, ymax: 171.25, difficult: true, truncated: true });
    expect(v.boxes[1]!.label).toBe('a & b <c>  两个空格');
  });

  it('accepts a one-pixel box (VOC coordinates are inclusive)', () => {
    const v = parseVoc('<annotation><object><name>dot</name><bndbox><xmin>3</xmin><ymin>7</ymin><xmax>3</xmax><ymax>7</ymax></bndbox></object></annotation>');
    expect(v.boxes[0]).toMatchObject({ xmin: 3, xmax: 3, ymin: 7, ymax: 7 });
  });

  it('treats a 0×0 or missing size as unknown', () => {
    expect(parseVoc('<annotation><size><width>0</width><height>0</height></size></annotation>').size).toBeNull();
    expect(parseVoc('<annotation><filename>x.jpg</filename></annotation>')).toMatchObject({ size: null, boxes: [] });
  });

  it.each([
    ['<annotation><object><name>a</name></object>', /malformed XML at line 1/],
    ['<notvoc/>', /no <annotation> root element/],
    ['<annotation><object><name>a</name><bndbox><xmin>4</xmin><ymin>1</ymin><xmax>1</xmax><ymax>5</ymax></bndbox></object></annotation>', /<object> 1 \(a\) has its corners reversed/],
    ['<annotation><object><name>a</name><bndbox><xmin>x</xmin><ymin>1</ymin><xmax>3</xmax><ymax>5</ymax></bndbox></object></annotation>', /is not a number: "x"/],
    ['<annotation><object><bndbox/></object></annotation>', /<object> 1 has no <name>/],
    ['<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotation><filename>&x;</filename></annotation>', /DOCTYPE\/ENTITY declarations are not allowed/],
    [`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`, /nested deeper than 32/],
  ])('refuses %#: %s', (xml, message) => {
    expect(() => parseVoc(xml)).toThrow(VocError);
    expect(() => parseVoc(xml)).toThrow(message);
  });
});
