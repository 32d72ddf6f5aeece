// The pinned libx265 settings, the encoder identity and the dataset-level check that shards do not
// mix transcoders (units; the end-to-end runs are in determinism.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asIsIdentity, describeIdentity, parseX265Version, x265Identity, type EncoderParams } from '../src/input/ffmpeg/encoder_identity.js';
import { locateFfmpeg, transcoderLocation } from '../src/input/ffmpeg/locate.js';
import { checkX265Params } from '../src/input/ffmpeg/pinned_x265.js';
import { resolveTranscode, transcodeArgs } from '../src/input/ffmpeg/prepare.js';
import { checkDatasetEncoders, datasetEncoders, EncoderTally, type SlotEncoderRecord } from '../src/shard/dataset_encoders.js';
import { ffmpegPath as bundledFfmpeg } from './helpers/ffmpeg.js';
import { tempDir } from './helpers/tokenize_helpers.js';

const PARAMS: EncoderParams = { preset: 'fast', crf: 23, x265Params: 'keyint=16:frame-threads=1:info=0', pixFmt: 'yuv420p', swsFlags: 'bicubic+accurate_rnd+bitexact', extraArgs: [] };

describe('pinned libx265 settings', () => {
  it('appends frame-threads=1:info=0 to the recipe, sizes the pool, converts pixels bit-exactly', () => {
    const a = transcodeArgs('in.mp4', 'out.hevc', { threads: 3 });
    const p = a[a.indexOf('-x265-params') + 1];
    expect(p).toBe('keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1:frame-threads=1:info=0:pools=3:log-level=info');
    expect(a[a.indexOf('-sws_flags') + 1]).toBe('bicubic+accurate_rnd+bitexact');
    expect(transcodeArgs('in.mp4', 'out.hevc', { x265Params: '' })[a.indexOf('-x265-params') + 1]).toMatch(/^frame-threads=1:info=0:pools=\d+:log-level=info$/);
  });

  it('refuses x265 parameters that would undo the pinning, in any spelling', () => {
    for (const bad of ['frame-threads=4', 'keyint=8:pools=8', 'no-info', 'Frame_Threads=2', 'numa-pools=none', 'info=1']) {
      expect(() => checkX265Params(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
      expect(() => transcodeArgs('in.mp4', 'out.hevc', { x265Params: bad }), bad).toThrow(/not allowed/);
    }
    expect(() => checkX265Params('keyint=16:no-wpp:lookahead-slices=4:asm=avx2')).not.toThrow();
    for (const threads of [0, -1, 1.5, 1000]) expect(() => resolveTranscode({ threads }), String(threads)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});

describe('encoder identity', () => {
  it('one id per FFmpeg build, libx265 version and settings; thread count and path are not part of it', () => {
    const a = x265Identity('ffmpeg version 4.1', '2.9+8', PARAMS);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(x265Identity('ffmpeg version 4.1', '2.9+8', { ...PARAMS }).id).toBe(a.id);
    expect(x265Identity('ffmpeg version 5.1', '2.9+8', PARAMS).id).not.toBe(a.id);
    expect(x265Identity('ffmpeg version 4.1', '3.5', PARAMS).id).not.toBe(a.id);
    expect(x265Identity('ffmpeg version 4.1', '2.9+8', { ...PARAMS, crf: 28 }).id).not.toBe(a.id);
    expect(x265Identity('ffmpeg version 4.1', '2.9+8', { ...PARAMS, extraArgs: ['-r', '10'] }).id).not.toBe(a.id);
    expect(x265Identity('ffmpeg version 4.1', null, PARAMS).x265).toBe('unknown');
    const none = asIsIdentity();
    expect(none).toMatchObject({ encoder: 'none', ffmpeg: null, x265: null, params: null });
    expect(asIsIdentity().id).toBe(none.id);
    expect(none.id).not.toBe(a.id);
    expect(describeIdentity(a)).toContain('libx265 2.9+8, ffmpeg version 4.1; -preset fast -crf 23 -x265-params keyint=16:frame-threads=1:info=0');
  });

  it("reads libx265's version from its log", () => {
    expect(parseX265Version('x265 [info]: HEVC encoder version 2.9+8-27d8424c799d\nx265 [info]: build info [Linux][GCC 6.3.0][64 bit] 8bit+10bit+12bit\n')).toBe('2.9+8-27d8424c799d');
    expect(parseX265Version('x265 [info]: HEVC encoder version 3.5+1-f0c1022b6\n')).toBe('3.5+1-f0c1022b6');
    expect(parseX265Version('[libx265 @ 0x1] some error\n')).toBeNull();
  });

  it('transcoder: bundled by default, FFMPEG_PATH when set, the PATH only with system, or a path', async () => {
    const bundled = bundledFfmpeg()!;
    const dir = tempDir();
    const fake = join(dir, 'ffmpeg');
    writeFileSync(fake, `#!/bin/sh\nexec "${bundled}" "$@"\n`, { mode: 0o755 });
    const at = (choice: Parameters<typeof transcoderLocation>[0], env: NodeJS.ProcessEnv) => locateFfmpeg({ ...transcoderLocation(choice), env, prefer: 'native' });
    expect(await at(undefined, { PATH: dir })).toMatchObject({ source: 'npm', path: bundled });
    expect(await at(undefined, { PATH: dir, FFMPEG_PATH: fake })).toMatchObject({ source: 'env', path: fake });
    expect(await at('bundled', { PATH: dir, FFMPEG_PATH: fake })).toMatchObject({ source: 'npm', path: bundled });
    expect(await at('system', { PATH: dir })).toMatchObject({ source: 'path', path: fake });
    expect(await at(fake, { PATH: '' })).toMatchObject({ source: 'option', path: fake });
    await expect(at(join(dir, 'nothing'), { PATH: '' })).rejects.toMatchObject({ code: 'ERR_NO_FFMPEG' });
  });
});

describe('encoders of a dataset', () => {
  const A = x265Identity('ffmpeg version A', '2.9', PARAMS);
  const B = x265Identity('ffmpeg version B', '3.5', PARAMS);
  const NONE = asIsIdentity();
  const slot = (shard: string, part: string, ...ids: (typeof A | undefined)[]): SlotEncoderRecord => {
    const t = new EncoderTally();
    for (const id of ids) t.add(id);
    return { shard, count: ids.length, ...t.record(), made_by: { part, host: 'h' } };
  };

  it('one transcoder, plus streams read as they are: not mixed', () => {
    const d = datasetEncoders([slot('s0', '0/2', A, A, NONE), slot('s1', '1/2', A, NONE), { shard: null, count: 0 }]);
    expect(d.mixed).toBe(false);
    expect(d.encoders.map((e) => [e.encoder, e.samples, e.shards])).toEqual([
      ['libx265', 3, ['s0', 's1']],
      ['none', 2, ['s0', 's1']],
    ]);
    expect(d.encoders[0]!.parts).toEqual(['part 0/2 on h', 'part 1/2 on h']);
    expect(() => checkDatasetEncoders(d)).not.toThrow();
  });

  it('two transcoders: refused, naming each one and the parts that used it, unless forced', () => {
    const records = [slot('s0', '0/2', A), slot('s1', '1/2', B), slot('s2', '0/2', A)];
    const d = datasetEncoders(records);
    expect(d).toMatchObject({ mixed: true, forced: false });
    let err: Error & { code?: string } = new Error('none');
    try {
      checkDatasetEncoders(d);
    } catch (e) {
      err = e as Error;
    }
    expect(err.code).toBe('ERR_MIXED_ENCODERS');
    expect(err.message).toContain(`${A.id} (libx265 2.9, ffmpeg version A`);
    expect(err.message).toMatch(/2 sample\(s\) in s0, s2, made by part 0\/2 on h/);
    expect(err.message).toMatch(new RegExp(`${B.id} .*1 sample\\(s\\) in s1, made by part 1/2 on h`));
    expect(err.message).toContain('--force-mixed-encoders');
    const forced = datasetEncoders(records, true);
    expect(forced).toMatchObject({ mixed: true, forced: true });
    expect(() => checkDatasetEncoders(forced)).not.toThrow();
  });

  it('a transcoder and samples of unknown encoder are mixed; only unknown ones are not', () => {
    expect(datasetEncoders([slot('s0', '0/2', A), slot('s1', '1/2', undefined)]).mixed).toBe(true);
    expect(datasetEncoders([slot('s0', '0/2', A), { shard: 's1', count: 3 }]).unknown).toEqual({ samples: 3, shards: ['s1'] });
    expect(datasetEncoders([slot('s0', '0/1', undefined, undefined), { shard: 's1', count: 2 }]).mixed).toBe(false);
  });
});
