// What the decoder computes for each picture: the one statement of these options (the parser's,
// the addon's and the ones scoring asks for are all this shape). What only tokenize and inspect
// ask of the decoder (scores, motion summaries) is not a public option: see DecoderAnalysis
// (parser.ts).

/** What to compute for each picture. Defaults: motion, cu, bits on; tuStats, residual off. */
export interface DecodeOptions {
  /** 4x4 motion field (int16 [ceil(H/4)][ceil(W/4)][8]). Default true. */
  motion?: boolean;
  /** 8x8 coding-unit map (int16 [ceil(H/8)][ceil(W/8)][4]). Default true. */
  cu?: boolean;
  /** 8x8 bit-cost map (float32 [ceil(H/8)][ceil(W/8)]). Default true. */
  bits?: boolean;
  /** Transform-block statistics (int64 [n][13], decoding order). Default false. */
  tuStats?: boolean;
  /** Luma residual (int16 [H][W]); needs the inverse transforms. Default false. */
  residual?: boolean;
  /**
   * Parse parameter sets and slice headers only: pictures carry POC, decode
   * index, NAL type and slices, and no arrays. Many times faster; use it to
   * count pictures or map output order to decode order. Default false.
   */
  headersOnly?: boolean;
  /**
   * Decode indices of the pictures whose arrays are wanted. Every picture is
   * still parsed (and yielded, with metadata only), but the others skip the
   * residual reconstruction and array output. Default: all pictures.
   */
  pictures?: Iterable<number>;
  /**
   * Reuse memory at once: a picture's typed arrays are valid only until the
   * next picture is requested (or the loop ends), then detached (length 0)
   * and their memory goes back to the decoder. For loops that use each
   * picture before asking for the next: no garbage piles up. Default false
   * (arrays live until garbage-collected).
   */
  recycle?: boolean;
}
