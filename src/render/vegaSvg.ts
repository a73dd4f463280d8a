/**
 * A Vega-Lite spec drawn as static SVG, in Node, with no DOM and no browser: vega-lite compiles it
 * to a Vega spec, and a headless Vega view (renderer "none") renders its scenegraph to an SVG
 * string, text escaped. vega and vega-lite (~800 kB bundled) are imported on the first call only,
 * so nothing but the HTML report ever loads them.
 */
import type { TopLevelSpec } from 'vega-lite';

type Libraries = [typeof import('vega'), typeof import('vega-lite')];
let libraries: Promise<Libraries> | undefined;

/** The SVG markup of one chart. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await (libraries ??= Promise.all([import('vega'), import('vega-lite')]));
  const compiled = vegaLite.compile(spec).spec;
  // The specs carry their data inline: a loader that refuses everything keeps any URL from being fetched.
  const loader = vega.loader();
  loader.load = (uri: string) => Promise.reject(new Error(`the HTML report loads nothing (asked for ${uri})`));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
