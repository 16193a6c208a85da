/*
 * Cadenza's native audio decoders: packet/frame-level access to libvorbis, libmpg123, libFLAC and FAAD2
 * for the analysis clip pipeline (src-main/core/analysis/decode/native.ts is the only caller).
 *
 * The JS side keeps the container parsing (Ogg pages, MPEG frame sync, FLAC seeking) and hands over
 * packets; each call writes planar float samples into Float32Arrays the caller owns (no external
 * buffers: Electron's V8 sandbox forbids them). Errors in a packet are not exceptions: a damaged packet
 * decodes to nothing, as the WASM decoders do; only bad arguments and rejected headers throw.
 *
 * Plain Node-API (ABI-stable), so one build serves Node and Electron on the same platform.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <FLAC/stream_decoder.h>
#include <mpg123.h>
#include <neaacdec.h>
#include <vorbis/codec.h>

#define MAX_PLANES 8

enum kind { KIND_VORBIS = 1, KIND_MPEG, KIND_FLAC, KIND_AAC };

typedef struct {
  float *data[MAX_PLANES];
  size_t count;  /* planes given */
  size_t offset; /* first sample to write */
  size_t room;   /* samples that fit after offset in every plane */
} planes_t;

/* ---- helpers ---------------------------------------------------------------------------------- */

#define CHECK(call)                                                                                  \
  do {                                                                                               \
    if ((call) != napi_ok) return throw_error(env, "native decoder: bad call " #call);             \
  } while (0)

static napi_value throw_error(napi_env env, const char *message) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static bool get_bytes(napi_env env, napi_value v, const uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  size_t length;
  void *ptr;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, NULL, NULL) != napi_ok) return false;
  if (type != napi_uint8_array) return false;
  *data = (const uint8_t *)ptr;
  *len = length;
  return true;
}

static bool get_planes(napi_env env, napi_value array, napi_value offset_value, planes_t *out) {
  uint32_t count = 0;
  int64_t offset = 0;
  if (napi_get_array_length(env, array, &count) != napi_ok || count == 0 || count > MAX_PLANES) return false;
  if (napi_get_value_int64(env, offset_value, &offset) != napi_ok || offset < 0) return false;
  out->count = count;
  out->offset = (size_t)offset;
  out->room = SIZE_MAX;
  for (uint32_t c = 0; c < count; c++) {
    napi_value plane;
    napi_typedarray_type type;
    size_t length;
    void *ptr;
    if (napi_get_element(env, array, c, &plane) != napi_ok) return false;
    if (napi_get_typedarray_info(env, plane, &type, &length, &ptr, NULL, NULL) != napi_ok) return false;
    if (type != napi_float32_array || length < out->offset) return false;
    out->data[c] = (float *)ptr;
    if (length - out->offset < out->room) out->room = length - out->offset;
  }
  return true;
}

/* Writes n frames of `channels` planes (src[c][i]) at planes->offset + at; a plane past the source's
 * channels repeats the last one (a mono stream fills both of a stereo clip's channels). */
static void put_planar(planes_t *p, size_t at, float *const *src, int channels, size_t n) {
  for (size_t c = 0; c < p->count; c++) {
    const float *from = src[c < (size_t)channels ? c : (size_t)channels - 1];
    memcpy(p->data[c] + p->offset + at, from, n * sizeof(float));
  }
}

static void put_interleaved(planes_t *p, size_t at, const float *src, int channels, size_t n) {
  for (size_t c = 0; c < p->count; c++) {
    const size_t from = c < (size_t)channels ? c : (size_t)channels - 1;
    float *dst = p->data[c] + p->offset + at;
    for (size_t i = 0; i < n; i++) dst[i] = src[i * (size_t)channels + from];
  }
}

/* Every decoder handle starts with its kind, so a handle of one kind passed to another's call throws. */
typedef struct {
  int kind;
  int freed;
} head_t;

static void release_any(head_t *h);

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  head_t *h = (head_t *)data;
  if (!h->freed) release_any(h);
  free(h);
}

static napi_value wrap_handle(napi_env env, head_t *h) {
  napi_value out;
  if (napi_create_external(env, h, finalize_handle, NULL, &out) != napi_ok) {
    release_any(h);
    free(h);
    return throw_error(env, "native decoder: cannot create handle");
  }
  return out;
}

static head_t *unwrap(napi_env env, napi_value v, int kind) {
  void *data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external) return NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) return NULL;
  head_t *h = (head_t *)data;
  if (h->kind != kind || h->freed) return NULL;
  return h;
}

/* The arguments of every xDecode(handle, packet, planes, offset): a live handle of `kind`, the packet's
 * bytes and the output planes; NULL (the caller throws its usage) when any is wrong. */
typedef struct {
  const uint8_t *data;
  size_t len;
  planes_t planes;
} packet_args_t;

static head_t *packet_args(napi_env env, napi_callback_info info, int kind, packet_args_t *out) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) return NULL;
  head_t *h = unwrap(env, argv[0], kind);
  if (!h || !get_bytes(env, argv[1], &out->data, &out->len) || !get_planes(env, argv[2], argv[3], &out->planes))
    return NULL;
  return h;
}

/* ---- Vorbis ----------------------------------------------------------------------------------- */

typedef struct {
  head_t head;
  vorbis_info info;
  vorbis_comment comment;
  vorbis_dsp_state dsp;
  vorbis_block block;
  int dsp_ready;
  int64_t packetno;
} vorbis_t;

static void vorbis_release(vorbis_t *v) {
  if (v->dsp_ready) {
    vorbis_block_clear(&v->block);
    vorbis_dsp_clear(&v->dsp);
  }
  vorbis_comment_clear(&v->comment);
  vorbis_info_clear(&v->info);
}

static int vorbis_header(vorbis_t *v, const uint8_t *data, size_t len, int first) {
  ogg_packet op;
  memset(&op, 0, sizeof op);
  op.packet = (unsigned char *)data;
  op.bytes = (long)len;
  op.b_o_s = first;
  op.packetno = v->packetno++;
  op.granulepos = -1;
  return vorbis_synthesis_headerin(&v->info, &v->comment, &op);
}

/* vorbisOpen(identification: Uint8Array, setup: Uint8Array) → handle. The comment header is not
 * needed for synthesis: an empty one stands in, so damaged tags cannot stop the audio. */
static napi_value vorbis_packet_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const uint8_t *id, *setup;
  size_t id_len, setup_len;
  if (argc < 2 || !get_bytes(env, argv[0], &id, &id_len) || !get_bytes(env, argv[1], &setup, &setup_len))
    return throw_error(env, "vorbisOpen(identification, setup): two Uint8Arrays expected");
  vorbis_t *v = calloc(1, sizeof *v);
  if (!v) return throw_error(env, "vorbis: out of memory");
  v->head.kind = KIND_VORBIS;
  vorbis_info_init(&v->info);
  vorbis_comment_init(&v->comment);
  static const uint8_t empty_comment[] = {3, 'v', 'o', 'r', 'b', 'i', 's', 0, 0, 0, 0, 0, 0, 0, 0, 1};
  int rc = vorbis_header(v, id, id_len, 1);
  if (rc == 0) rc = vorbis_header(v, empty_comment, sizeof empty_comment, 0);
  if (rc == 0) rc = vorbis_header(v, setup, setup_len, 0);
  if (rc == 0 && vorbis_synthesis_init(&v->dsp, &v->info) == 0) {
    vorbis_block_init(&v->dsp, &v->block);
    v->dsp_ready = 1;
  } else if (rc == 0) {
    rc = -1;
  }
  if (rc != 0) {
    vorbis_release(v);
    free(v);
    return throw_error(env, "vorbis: the stream's headers were rejected");
  }
  return wrap_handle(env, &v->head);
}

/* vorbisDecode(handle, packet, planes: Float32Array[], offset) → samples written per plane. */
static napi_value vorbis_packet_decode(napi_env env, napi_callback_info info) {
  packet_args_t args;
  vorbis_t *v = (vorbis_t *)packet_args(env, info, KIND_VORBIS, &args);
  if (!v) return throw_error(env, "vorbisDecode(handle, packet, planes, offset): bad arguments");
  const uint8_t *data = args.data;
  const size_t len = args.len;
  planes_t p = args.planes;
  ogg_packet op;
  memset(&op, 0, sizeof op);
  op.packet = (unsigned char *)data;
  op.bytes = (long)len;
  op.packetno = v->packetno++;
  op.granulepos = -1;
  if (vorbis_synthesis(&v->block, &op) == 0) vorbis_synthesis_blockin(&v->dsp, &v->block);
  size_t n = 0;
  float **pcm;
  int got;
  while ((got = vorbis_synthesis_pcmout(&v->dsp, &pcm)) > 0) {
    size_t take = (size_t)got;
    if (take > p.room - n) take = p.room - n;
    if (take == 0) break;
    put_planar(&p, n, pcm, v->info.channels, take);
    vorbis_synthesis_read(&v->dsp, (int)take);
    n += take;
  }
  return make_int(env, (int64_t)n);
}

/* ---- MPEG audio (mpg123) ---------------------------------------------------------------------- */

typedef struct {
  head_t head;
  mpg123_handle *mh;
  int channels;
} mpeg_t;

static void mpeg_release(mpeg_t *m) {
  if (m->mh) mpg123_delete(m->mh);
}

/* mpegOpen() → handle: float output at the stream's own rate and channels, no gapless trimming (the
 * caller places frames by index and trims the encoder delay itself). */
static napi_value mpeg_open(napi_env env, napi_callback_info info) {
  (void)info;
  mpeg_t *m = calloc(1, sizeof *m);
  if (!m) return throw_error(env, "mpeg: out of memory");
  m->head.kind = KIND_MPEG;
  int err = MPG123_OK;
  m->mh = mpg123_new(NULL, &err);
  if (!m->mh || err != MPG123_OK || mpg123_param(m->mh, MPG123_FLAGS, MPG123_QUIET, 0) != MPG123_OK ||
      mpg123_format_none(m->mh) != MPG123_OK) {
    mpeg_release(m);
    free(m);
    return throw_error(env, "mpeg: cannot create the decoder");
  }
  const long *rates;
  size_t count;
  mpg123_rates(&rates, &count);
  for (size_t i = 0; i < count; i++) mpg123_format(m->mh, rates[i], MPG123_MONO | MPG123_STEREO, MPG123_ENC_FLOAT_32);
  if (mpg123_open_feed(m->mh) != MPG123_OK) {
    mpeg_release(m);
    free(m);
    return throw_error(env, "mpeg: cannot open the feed");
  }
  m->channels = 2;
  return wrap_handle(env, &m->head);
}

/* mpegDecode(handle, frame, planes, offset) → samples written per plane. */
static napi_value mpeg_decode(napi_env env, napi_callback_info info) {
  packet_args_t args;
  mpeg_t *m = (mpeg_t *)packet_args(env, info, KIND_MPEG, &args);
  if (!m) return throw_error(env, "mpegDecode(handle, frame, planes, offset): bad arguments");
  const uint8_t *data = args.data;
  const size_t len = args.len;
  planes_t p = args.planes;
  if (mpg123_feed(m->mh, data, len) != MPG123_OK) return make_int(env, 0);
  size_t n = 0;
  /* A frame yields its samples in one call; a few more only after a format change or an error. */
  for (int reads = 0; reads < 8; reads++) {
    off_t frame_num;
    unsigned char *audio = NULL;
    size_t bytes = 0;
    int rc = mpg123_decode_frame(m->mh, &frame_num, &audio, &bytes);
    if (rc == MPG123_NEW_FORMAT) {
      long rate;
      int channels, encoding;
      if (mpg123_getformat(m->mh, &rate, &channels, &encoding) == MPG123_OK && channels > 0) m->channels = channels;
      continue;
    }
    if (rc == MPG123_OK && audio && bytes > 0) {
      size_t frames = bytes / (sizeof(float) * (size_t)m->channels);
      if (frames > p.room - n) frames = p.room - n;
      put_interleaved(&p, n, (const float *)audio, m->channels, frames);
      n += frames;
      continue;
    }
    if (rc == MPG123_NEED_MORE || rc == MPG123_DONE) break;
    if (rc != MPG123_OK) break; /* a damaged frame: skipped, as the WASM decoder does */
  }
  return make_int(env, (int64_t)n);
}

/* ---- FLAC ------------------------------------------------------------------------------------- */

/* FLAC frames carry no length, so bytes are buffered here and a frame is decoded only while at least
 * `reserve` bytes (the largest frame the stream declares, or 1 MiB) wait after it, or at the end. */
typedef struct {
  head_t head;
  FLAC__StreamDecoder *decoder;
  uint8_t *in;
  size_t in_len, in_pos, in_cap;
  size_t reserve;
  int ending;
  float *out[MAX_PLANES];
  size_t out_len, out_cap;
  int channels;
} flac_t;

static void flac_release(flac_t *f) {
  if (f->decoder) FLAC__stream_decoder_delete(f->decoder);
  free(f->in);
  for (int c = 0; c < MAX_PLANES; c++) free(f->out[c]);
}

static FLAC__StreamDecoderReadStatus flac_read(const FLAC__StreamDecoder *d, FLAC__byte buffer[], size_t *bytes,
                                               void *data) {
  (void)d;
  flac_t *f = (flac_t *)data;
  size_t avail = f->in_len - f->in_pos;
  if (avail == 0) {
    *bytes = 0;
    return FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
  }
  if (*bytes > avail) *bytes = avail;
  memcpy(buffer, f->in + f->in_pos, *bytes);
  f->in_pos += *bytes;
  return FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
}

static FLAC__StreamDecoderWriteStatus flac_write(const FLAC__StreamDecoder *d, const FLAC__Frame *frame,
                                                 const FLAC__int32 *const buffer[], void *data) {
  (void)d;
  flac_t *f = (flac_t *)data;
  const size_t n = frame->header.blocksize;
  const int channels = (int)frame->header.channels;
  const int planes = channels < MAX_PLANES ? channels : MAX_PLANES;
  if (f->out_len + n > f->out_cap) {
    size_t cap = f->out_cap ? f->out_cap : 65536;
    while (cap < f->out_len + n) cap *= 2;
    for (int c = 0; c < MAX_PLANES; c++) {
      if (c >= planes && !f->out[c]) continue;
      float *grown = realloc(f->out[c], cap * sizeof(float));
      if (!grown) return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
      f->out[c] = grown;
    }
    f->out_cap = cap;
  }
  for (int c = 0; c < planes; c++) {
    if (!f->out[c]) {
      f->out[c] = malloc(f->out_cap * sizeof(float));
      if (!f->out[c]) return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
  }
  const float scale = 1.0f / (float)(1u << (frame->header.bits_per_sample - 1));
  for (int c = 0; c < planes; c++) {
    float *dst = f->out[c] + f->out_len;
    const FLAC__int32 *src = buffer[c];
    for (size_t i = 0; i < n; i++) dst[i] = (float)src[i] * scale;
  }
  f->channels = planes;
  f->out_len += n;
  return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void flac_error(const FLAC__StreamDecoder *d, FLAC__StreamDecoderErrorStatus status, void *data) {
  (void)d;
  (void)status;
  (void)data; /* lost sync or a bad frame: libFLAC resynchronises by itself */
}

/* flacOpen(reserveBytes) → handle. */
static napi_value flac_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t reserve = 0;
  if (argc < 1 || napi_get_value_int64(env, argv[0], &reserve) != napi_ok) reserve = 0;
  flac_t *f = calloc(1, sizeof *f);
  if (!f) return throw_error(env, "flac: out of memory");
  f->head.kind = KIND_FLAC;
  f->reserve = reserve > 0 && reserve < (1 << 24) ? (size_t)reserve : (1 << 20);
  f->decoder = FLAC__stream_decoder_new();
  if (!f->decoder) {
    free(f);
    return throw_error(env, "flac: cannot create the decoder");
  }
  FLAC__stream_decoder_set_md5_checking(f->decoder, false);
  if (FLAC__stream_decoder_init_stream(f->decoder, flac_read, NULL, NULL, NULL, NULL, flac_write, NULL, flac_error,
                                       f) != FLAC__STREAM_DECODER_INIT_STATUS_OK) {
    flac_release(f);
    free(f);
    return throw_error(env, "flac: cannot start the decoder");
  }
  return wrap_handle(env, &f->head);
}

/* Decodes what the buffered bytes allow; at the end (`ending`) everything. */
static void flac_pump(flac_t *f) {
  for (int guard = 0; guard < 1 << 20; guard++) {
    if (!f->ending && f->in_len - f->in_pos < f->reserve) break;
    FLAC__StreamDecoderState state = FLAC__stream_decoder_get_state(f->decoder);
    if (state == FLAC__STREAM_DECODER_END_OF_STREAM || state == FLAC__STREAM_DECODER_ABORTED ||
        state == FLAC__STREAM_DECODER_MEMORY_ALLOCATION_ERROR)
      break;
    size_t before = f->in_pos, produced = f->out_len;
    if (!FLAC__stream_decoder_process_single(f->decoder)) break;
    if (f->in_pos == before && f->out_len == produced && f->in_len == f->in_pos) break;
  }
  /* keep the unread tail only */
  if (f->in_pos > 0) {
    memmove(f->in, f->in + f->in_pos, f->in_len - f->in_pos);
    f->in_len -= f->in_pos;
    f->in_pos = 0;
  }
}

/* flacFeed(handle, bytes, ending: boolean) → samples waiting to be taken. */
static napi_value flac_feed(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  flac_t *f = argc == 3 ? (flac_t *)unwrap(env, argv[0], KIND_FLAC) : NULL;
  const uint8_t *data;
  size_t len;
  bool ending = false;
  if (!f || !get_bytes(env, argv[1], &data, &len) || napi_get_value_bool(env, argv[2], &ending) != napi_ok)
    return throw_error(env, "flacFeed(handle, bytes, ending): bad arguments");
  if (f->in_len + len > f->in_cap) {
    size_t cap = f->in_cap ? f->in_cap : 1 << 16;
    while (cap < f->in_len + len) cap *= 2;
    uint8_t *grown = realloc(f->in, cap);
    if (!grown) return throw_error(env, "flac: out of memory");
    f->in = grown;
    f->in_cap = cap;
  }
  memcpy(f->in + f->in_len, data, len);
  f->in_len += len;
  f->ending = ending;
  flac_pump(f);
  return make_int(env, (int64_t)f->out_len);
}

/* flacTake(handle, planes, offset) → samples moved into the planes (then dropped here). */
static napi_value flac_take(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  flac_t *f = argc == 3 ? (flac_t *)unwrap(env, argv[0], KIND_FLAC) : NULL;
  planes_t p;
  if (!f || !get_planes(env, argv[1], argv[2], &p)) return throw_error(env, "flacTake(handle, planes, offset): bad arguments");
  size_t n = f->out_len < p.room ? f->out_len : p.room;
  if (n > 0 && f->channels > 0) put_planar(&p, 0, f->out, f->channels, n);
  if (n < f->out_len) {
    for (int c = 0; c < f->channels; c++) memmove(f->out[c], f->out[c] + n, (f->out_len - n) * sizeof(float));
  }
  f->out_len -= n;
  return make_int(env, (int64_t)n);
}

/* ---- AAC (FAAD2) ------------------------------------------------------------------------------ */

typedef struct {
  head_t head;
  NeAACDecHandle decoder;
  int channels;
} aac_t;

static void aac_release(aac_t *a) {
  if (a->decoder) NeAACDecClose(a->decoder);
}

/* aacOpen(asc: Uint8Array) → { handle, sampleRate, channels }: raw access units configured by the MP4's
 * AudioSpecificConfig; float output, FAAD2's defaults otherwise (as the WASM build: implicit SBR is
 * upsampled, so HE-AAC comes out at twice the core rate). */
static napi_value aac_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const uint8_t *asc;
  size_t asc_len;
  if (argc < 1 || !get_bytes(env, argv[0], &asc, &asc_len) || asc_len == 0 || asc_len > 1024)
    return throw_error(env, "aacOpen(asc): a Uint8Array expected");
  aac_t *a = calloc(1, sizeof *a);
  if (!a) return throw_error(env, "aac: out of memory");
  a->head.kind = KIND_AAC;
  a->decoder = NeAACDecOpen();
  if (!a->decoder) {
    free(a);
    return throw_error(env, "aac: cannot create the decoder");
  }
  NeAACDecConfigurationPtr config = NeAACDecGetCurrentConfiguration(a->decoder);
  config->outputFormat = FAAD_FMT_FLOAT;
  NeAACDecSetConfiguration(a->decoder, config);
  unsigned long rate = 0;
  unsigned char channels = 0;
  /* FAAD2 reads the config through a non-const pointer but does not write it */
  if (NeAACDecInit2(a->decoder, (unsigned char *)asc, (unsigned long)asc_len, &rate, &channels) < 0 || channels == 0 ||
      rate == 0) {
    aac_release(a);
    free(a);
    return throw_error(env, "aac: the AudioSpecificConfig was rejected");
  }
  a->channels = channels;
  napi_value out, handle;
  handle = wrap_handle(env, &a->head);
  if (!handle) return NULL;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "handle", handle);
  napi_set_named_property(env, out, "sampleRate", make_int(env, (int64_t)rate));
  napi_set_named_property(env, out, "channels", make_int(env, channels));
  return out;
}

/* aacDecode(handle, accessUnit, planes, offset) → samples written per plane (0: nothing yet, or damaged). */
static napi_value aac_decode(napi_env env, napi_callback_info info) {
  packet_args_t args;
  aac_t *a = (aac_t *)packet_args(env, info, KIND_AAC, &args);
  if (!a) return throw_error(env, "aacDecode(handle, accessUnit, planes, offset): bad arguments");
  const uint8_t *data = args.data;
  const size_t len = args.len;
  planes_t p = args.planes;
  if (len == 0) return make_int(env, 0);
  NeAACDecFrameInfo frame;
  memset(&frame, 0, sizeof frame);
  const float *pcm = (const float *)NeAACDecDecode(a->decoder, &frame, (unsigned char *)data, (unsigned long)len);
  if (!pcm || frame.error != 0 || frame.channels == 0 || frame.samples == 0) return make_int(env, 0);
  size_t n = frame.samples / frame.channels;
  if (n > p.room) n = p.room;
  put_interleaved(&p, 0, pcm, frame.channels, n);
  return make_int(env, (int64_t)n);
}

/* ---- handles ---------------------------------------------------------------------------------- */

static void release_any(head_t *h) {
  switch (h->kind) {
    case KIND_VORBIS: vorbis_release((vorbis_t *)h); break;
    case KIND_MPEG: mpeg_release((mpeg_t *)h); break;
    case KIND_FLAC: flac_release((flac_t *)h); break;
    case KIND_AAC: aac_release((aac_t *)h); break;
    default: break;
  }
  h->freed = 1;
}

/* close(handle): frees the decoder now (the handle is then dead); the GC would do it later. */
static napi_value close_handle(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || !data)
    return throw_error(env, "close(handle): a decoder handle expected");
  head_t *h = (head_t *)data;
  if (!h->freed) release_any(h);
  return NULL;
}

/* versions() → the linked libraries' versions, for the bench and the logs. */
static napi_value versions(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, v;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, vorbis_version_string(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, out, "vorbis", v);
  napi_create_string_utf8(env, FLAC__VERSION_STRING, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, out, "flac", v);
  napi_create_string_utf8(env, FAAD2_VERSION, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, out, "faad2", v);
  char mpg[32];
  snprintf(mpg, sizeof mpg, "api %d", MPG123_API_VERSION);
  napi_create_string_utf8(env, mpg, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, out, "mpg123", v);
  return out;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static int mpg123_ready = 0;
  if (!mpg123_ready) {
    mpg123_init(); /* a no-op since 1.27; kept for older libraries */
    mpg123_ready = 1;
  }
  const napi_property_descriptor props[] = {
    {"vorbisOpen", NULL, vorbis_packet_open, NULL, NULL, NULL, napi_default, NULL},
    {"vorbisDecode", NULL, vorbis_packet_decode, NULL, NULL, NULL, napi_default, NULL},
    {"mpegOpen", NULL, mpeg_open, NULL, NULL, NULL, napi_default, NULL},
    {"mpegDecode", NULL, mpeg_decode, NULL, NULL, NULL, napi_default, NULL},
    {"aacOpen", NULL, aac_open, NULL, NULL, NULL, napi_default, NULL},
    {"aacDecode", NULL, aac_decode, NULL, NULL, NULL, napi_default, NULL},
    {"flacOpen", NULL, flac_open, NULL, NULL, NULL, napi_default, NULL},
    {"flacFeed", NULL, flac_feed, NULL, NULL, NULL, napi_default, NULL},
    {"flacTake", NULL, flac_take, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, close_handle, NULL, NULL, NULL, napi_default, NULL},
    {"versions", NULL, versions, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
