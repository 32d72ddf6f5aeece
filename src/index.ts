/**
 * codectok: HEVC and H.264 bitstreams in, codec maps and codec-aligned patch tokens out.
 *
 * The main entry point: the parser's streaming API, the tokenizer and its writers, the error
 * type. More in subpaths: `codectok/parser` (everything of the input layer: MP4 demuxer, picture
 * layouts, the corpus dump), `codectok/shard` (Energon shards and sequence packing),
 * `codectok/bench` (the token-budget benchmark).
 *
 * Every function checks its arguments before any native call or file access and throws
 * {@link CodectokError} with code `ERR_INVALID_OPTION` naming the argument; every other failure is
 * a CodectokError too (see {@link CodectokErrorCode}).
 *
 * @module codectok
 */
export { CodectokError, ERROR_CODES, type CodectokErrorCode, type CodectokErrorDetails } from './errors.js';

// the parser
export { parsePictures, parseFile, type ParseInput, type ParseOptions, type Picture, type Slice, type ContainerInfo, type VideoCodec } from './input/parser.js';
export type { DecodeLimits } from './input/limits.js';
export type { DecodeOptions } from './input/decode_options.js';
export { countPictures, pictureHeaders, type PictureHeader, type HeaderOptions } from './input/picture_headers.js';
export type { Mp4TrackInfo } from './input/mp4_demux.js';
export type { NativeMotionSummary as MotionSummary } from './input/native.js';

// the tokenizer
export { tokenize } from './tokenize/tokenize.js';
export { DEFAULT_POLICY, PRESETS, type TokenizeOptions, type PolicyName, type TimeIndex } from './tokenize/options.js';
export type { Device } from './tokenize/device.js';
export type { TokenizeResult, TokenizeMeta, PatchTensor, PositionTensor, ScoreTensor } from './tokenize/result.js';
export { renderViz } from './tokenize/render_viz.js';
export { letterboxGeometry, qwenGeometry, type Geometry, type ResizeMode, type LetterboxOptions, type QwenResizeOptions } from './geometry/output_geometry.js';
export type { ScoringOptions, ResolvedScoringOptions, SignalWeights, ResidualSource, Compensation, NormalizeScope, MotionVectorSource } from './scores/options.js';
export type { CameraMotion } from './scores/camera_motion.js';
export type { FrameType } from './scores/codec_picture.js';
export type { IFramePolicy } from './policies/codec.js';
export type { Selection } from './policies/types.js';
export type { ReencodeMode, TranscodeOptions, ResolvedTranscode, PreparedInput } from './input/ffmpeg/prepare.js';
export { transcoderLocation, type FfmpegInfo, type FfmpegSource, type LocateOptions, type TranscoderChoice } from './input/ffmpeg/locate.js';
export type { EncoderIdentity, EncoderParams } from './input/ffmpeg/encoder_identity.js';

// writers
export { writeNpyOutput, type WrittenFiles } from './writers/npy_output.js';
export { writeCanvases, type CanvasWriteOptions } from './writers/canvas.js';
export type { VizOptions } from './writers/viz.js';
export { readNpy, writeNpy, encodeNpy, decodeNpy, type NpyArray, type NpyDtype, type NpyTypedArray } from './writers/npy.js';
export type { WritableNdArray } from './writers/ndarray_input.js';
