/**
 * StringClasses, string labels matched to classes by their UTF-8 bytes: the class that decoding
 * the bytes and looking the string up gives, for every kind of name (ASCII, multi-byte, long,
 * empty, names that share a prefix), NaN for a string that names no class, and the same answer
 * as decoding for bytes that are not valid UTF-8.
 */
import { describe, expect, it } from 'vitest';
import { StringClasses } from '../src/input/stringClasses.ts';

const names = ['cat', 'cats', '', 'a-long-class-name-bird', 'ß', 'chat 🐱', 'ca', '\uFFFD'];
const classOf = new Map(names.map((n, c) => [n, c]));
const encoder = new TextEncoder();

/** The class by decoding, as the reader did before: the reference. */
const byDecoding = (bytes: Uint8Array): number => classOf.get(new TextDecoder().decode(bytes)) ?? NaN;

describe('StringClasses', () => {
  const classes = new StringClasses(classOf);

  it('finds each name by its bytes, inside a larger buffer', () => {
    for (const [c, name] of names.entries()) {
      const encoded = encoder.encode(name);
      const buffer = new Uint8Array(encoded.length + 10);
      buffer.set(encoded, 7);
      expect(classes.classAt(buffer, 7, 7 + encoded.length)).toBe(c);
    }
  });

  it('gives NaN for strings that name no class, however close', () => {
    for (const text of ['Cat', 'cat ', 'c', 'catss', 'dog', 'chat 🐶', 'ss']) {
      const bytes = encoder.encode(text);
      expect(classes.classAt(bytes, 0, bytes.length)).toBeNaN();
      expect(classes.text(bytes, 0, bytes.length)).toBe(text);
    }
  });

  it('agrees with decoding on random bytes, valid UTF-8 or not', () => {
    let s = 12345;
    const next = (n: number): number => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s % n;
    };
    const pieces = [...names.map((n) => encoder.encode(n)), new Uint8Array([0xff]), new Uint8Array([0xc3]), new Uint8Array([0xe2, 0x82])];
    for (let k = 0; k < 2000; k++) {
      const parts = Array.from({ length: next(3) }, () => pieces[next(pieces.length)]!);
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      const got = classes.classAt(bytes, 0, bytes.length);
      const want = byDecoding(bytes);
      if (Number.isNaN(want)) expect(got).toBeNaN();
      else expect(got).toBe(want);
    }
    // An invalid byte decodes to U+FFFD, a class name here: matched as decoding matches it.
    expect(classes.classAt(new Uint8Array([0xff]), 0, 1)).toBe(names.indexOf('\uFFFD'));
  });
});
