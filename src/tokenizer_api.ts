// Public API of the tokenizer (re-exported by index.ts): tokenize(), its building blocks and writers.
export { tokenize, PRESETS, type TokenizeOptions, type TokenizeResult, type TokenizeMeta, type PatchTensor, type PolicyName, type TimeIndex, type PictureSource } from './tokenize.js';
export { letterboxGeometry, qwenGeometry, contentPatchMask, poolToGrid, patchSourceRect, GeometryError, type Geometry, type CellMap } from './geometry.js';
export { resolveScoringOptions, frameSignals, scoreFrames, activeShare, estimateCameraMotion, decodeOptionsFor, ScoringError, type ScoringOptions, type ResolvedScoringOptions, type FrameScores, type FrameSignals, type CodecPicture, type Compensation, type ResidualSource } from './scoring.js';
export { countPictures, pictureHeaders, sampleFrames, type PictureHeader, type SamplingOptions } from './sampling.js';
export { selectCodec, type CodecPolicyOptions, type IFramePolicy } from './policies/codec.js';
export { selectGrouped, type GroupedPolicyOptions } from './policies/grouped.js';
export { selectUniform, type UniformPolicyOptions } from './policies/uniform.js';
export { selectAdaptive, type AdaptivePolicyOptions } from './policies/adaptive.js';
export { PolicyError, type ScoreVolume, type Selection } from './policies/types.js';
export { locateFfmpeg, prepareHevc, transcodeToHevc, decodeFrames, FfmpegError, OVENC_X265, type FfmpegInfo, type TranscodeOptions, type ReencodeMode } from './ffmpeg.js';
export { writeNpyOutput } from './writers/npy_output.js';
export { buildCanvases, writeCanvases } from './writers/canvas.js';
export { encodePng } from './writers/png.js';
export { renderViz, composeViz, type VizOptions } from './viz.js';
