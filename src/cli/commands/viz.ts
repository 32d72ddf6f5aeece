// codectok viz VIDEO -o out.png [tokenize options] [--tile N --columns N --dim F]
//
// Draws the sampled frames with the kept patches bright and the dropped ones dimmed, then the
// kept-patch mosaic (see src/writers/viz.ts).
import { type Command, InvalidArgumentError } from 'commander';

import { renderViz } from '../../tokenize/render_viz.js';
import { writeOut } from '../output.js';
import { addTokenizeOptions, tokenizeOptionsFrom } from '../tokenize_options.js';

function positive(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${name} must be a number > 0`);
    return n;
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('viz')
    .description('draw the sampled frames with kept patches bright and dropped ones dimmed, and the kept-patch mosaic (PNG)')
    .argument('<video>', 'a video (HEVC as it is, anything else transcoded)')
    .requiredOption('-o, --out <file>', 'PNG file to write')
    .option('--tile <px>', 'largest tile side in pixels (default 192)', positive('--tile'))
    .option('--columns <n>', 'tiles per row (default 8)', positive('--columns'))
    .option('--dim <f>', 'brightness of dropped patches, 0..1 (default 0.25)', positive('--dim'));
  addTokenizeOptions(cmd).action(async (video: string, opts: Parameters<typeof tokenizeOptionsFrom>[0] & { out: string; tile?: number; columns?: number; dim?: number }) => {
    const r = await renderViz(video, opts.out, tokenizeOptionsFrom(opts), { tile: opts.tile, columns: opts.columns ? Math.floor(opts.columns) : undefined, dim: opts.dim });
    await writeOut(`${video}: ${r.meta.count} of ${r.meta.grid.T * r.meta.grid.H * r.meta.grid.W} patches kept (${r.meta.policy.name}) -> ${opts.out}\n`);
  });
}
