// A piscina task for test/bundles.test.ts: n -> n + 1.
export default function addOne(n) {
  return n + 1;
}
