/**
 * `codectok/parser`: the input layer. The streaming parser (also in the main entry), the MP4/MOV
 * demuxer, the picture array layouts, pictures from slice headers only, and the corpus-format
 * dump of `codectok inspect --dump`.
 *
 * @module codectok/parser
 */
export { CodectokError, ERROR_CODES, type CodectokErrorCode, type CodectokErrorDetails } from '../errors.js';
export type { NativeMotionSummary as MotionSummary } from './native.js';
export { parsePictures, parseFile, pictureShapes, nalTypeName, TU_COLUMNS, DEFAULT_CHUNK_SIZE, type ParseInput, type ParseOptions, type Picture, type Slice, type ContainerInfo, type VideoCodec } from './parser.js';
export type { DecodeOptions } from './decode_options.js';
export type { DecodeLimits } from './limits.js';
export type { Mp4Limits } from './mp4_box_limits.js';
export { countPictures, pictureHeaders, type PictureHeader, type HeaderOptions } from './picture_headers.js';
export { mp4ToAnnexB, type Mp4DemuxOptions, type Mp4TrackInfo, type RandomAccessReader } from './mp4_demux.js';
export { dumpCorpus, type DumpOptions, type DumpResult, type FrameRecord } from '../writers/dump.js';
