// Image codecs over libpng and libjpeg, with their longjmp error paths contained in C.
//
// Each entry point installs its own error handler that records the library's message and
// longjmps back to a setjmp in the same function, which frees everything and returns a
// status. Nothing ever unwinds through a caller's (Swift) frames.
#include "fl_codecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <jerror.h>

static void set_message(char *message, size_t message_size, const char *format, ...) {
  if (!message || message_size == 0) return;
  va_list args;
  va_start(args, format);
  vsnprintf(message, message_size, format, args);
  va_end(args);
}

/// Validates decoded dimensions; returns 0 when acceptable.
static int check_size(long long width, long long height, char *message, size_t message_size) {
  if (width <= 0 || height <= 0) {
    set_message(message, message_size, "invalid image size %lldx%lld", width, height);
    return 1;
  }
  if (width > FL_CODEC_MAX_SIDE || height > FL_CODEC_MAX_SIDE || width * height > FL_CODEC_MAX_PIXELS) {
    set_message(message, message_size, "image size %lldx%lld is larger than supported", width, height);
    return 1;
  }
  return 0;
}

void fl_image_free(fl_image *image) {
  if (!image) return;
  free(image->pixels);
  memset(image, 0, sizeof *image);
}

void fl_buffer_free(unsigned char *buffer) { free(buffer); }

// MARK: - PNG

/// Where libpng's error handler jumps back to, and where it leaves its message.
typedef struct {
  jmp_buf jump;
  char *message;
  size_t message_size;
} png_error_context;

static void png_on_error(png_structp png, png_const_charp text) {
  png_error_context *context = (png_error_context *)png_get_error_ptr(png);
  set_message(context->message, context->message_size, "%s", text);
  longjmp(context->jump, 1);
}

/// Warnings (unknown chunks, odd colour profiles) are not errors and must not be printed.
static void png_on_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

typedef struct {
  const unsigned char *data;
  size_t size;
  size_t position;
} memory_reader;

static void png_read_memory(png_structp png, png_bytep out, size_t count) {
  memory_reader *reader = (memory_reader *)png_get_io_ptr(png);
  if (reader->size - reader->position < count) png_error(png, "unexpected end of data (truncated file)");
  memcpy(out, reader->data + reader->position, count);
  reader->position += count;
}

int fl_png_decode(const unsigned char *data, size_t size, fl_image *out, char *message, size_t message_size) {
  if (!out) return FL_CODEC_FAILED;
  memset(out, 0, sizeof *out);
  if (!data || size < 8 || png_sig_cmp(data, 0, 8) != 0) {
    set_message(message, message_size, "not a PNG file (bad signature)");
    return FL_CODEC_CORRUPT;
  }
  png_error_context context = {.message = message, .message_size = message_size};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, png_on_error, png_on_warning);
  if (!png) {
    set_message(message, message_size, "out of memory");
    return FL_CODEC_FAILED;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    set_message(message, message_size, "out of memory");
    return FL_CODEC_FAILED;
  }
  memory_reader reader = {data, size, 0};
  unsigned char *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  volatile int status = FL_CODEC_CORRUPT;
  if (setjmp(context.jump)) {
    free(pixels);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return status;
  }
  png_set_read_fn(png, &reader, png_read_memory);
  png_set_user_limits(png, FL_CODEC_MAX_SIDE, FL_CODEC_MAX_SIDE);
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png, info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);
  char size_problem[128];
  if (check_size(width, height, size_problem, sizeof size_problem)) {
    status = FL_CODEC_UNSUPPORTED;
    png_error(png, size_problem);
  }
  // Palette → RGB, gray below 8 bits → 8 bits, tRNS → alpha channel.
  png_set_expand(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = png_get_channels(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  const size_t row_bytes = png_get_rowbytes(png, info);
  if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) ||
      row_bytes != (size_t)width * channels * (bit_depth / 8)) {
    status = FL_CODEC_UNSUPPORTED;
    png_error(png, "unexpected PNG layout after expansion");
  }
  pixels = (unsigned char *)malloc(row_bytes * height);
  rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
  if (!pixels || !rows) {
    status = FL_CODEC_FAILED;
    png_error(png, "out of memory");
  }
  for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * row_bytes;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  if (bit_depth == 16) {
    // PNG stores 16-bit samples big-endian; hand them out in host order.
    const size_t samples = (size_t)width * height * channels;
    unsigned char *bytes = pixels;
    for (size_t i = 0; i < samples; i++) {
      uint16_t value = (uint16_t)((bytes[2 * i] << 8) | bytes[2 * i + 1]);
      memcpy(bytes + 2 * i, &value, 2);
    }
  }
  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  out->width = (int)width;
  out->height = (int)height;
  out->channels = channels;
  out->bit_depth = bit_depth;
  out->pixels = pixels;
  return FL_CODEC_OK;
}

typedef struct {
  unsigned char *buffer;
  size_t size;
  size_t capacity;
} memory_writer;

/// Appends to a growing buffer; returns 0 on success.
static int memory_append(memory_writer *writer, const unsigned char *bytes, size_t count) {
  if (writer->capacity - writer->size < count) {
    size_t capacity = writer->capacity ? writer->capacity : 4096;
    while (capacity - writer->size < count) capacity *= 2;
    unsigned char *grown = (unsigned char *)realloc(writer->buffer, capacity);
    if (!grown) return 1;
    writer->buffer = grown;
    writer->capacity = capacity;
  }
  memcpy(writer->buffer + writer->size, bytes, count);
  writer->size += count;
  return 0;
}

static void png_write_memory(png_structp png, png_bytep bytes, size_t count) {
  if (memory_append((memory_writer *)png_get_io_ptr(png), bytes, count)) png_error(png, "out of memory");
}

static void png_flush_memory(png_structp png) { (void)png; }

int fl_png_encode(const unsigned char *pixels, int width, int height, int channels,
                  unsigned char **out, size_t *out_size, char *message, size_t message_size) {
  if (!out || !out_size) return FL_CODEC_FAILED;
  *out = NULL;
  *out_size = 0;
  if (!pixels || channels < 1 || channels > 4) {
    set_message(message, message_size, "a PNG has 1 to 4 channels, got %d", channels);
    return FL_CODEC_FAILED;
  }
  if (check_size(width, height, message, message_size)) return FL_CODEC_FAILED;
  static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                     PNG_COLOR_TYPE_RGB_ALPHA};
  png_error_context context = {.message = message, .message_size = message_size};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, png_on_error, png_on_warning);
  if (!png) return FL_CODEC_FAILED;
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, NULL);
    return FL_CODEC_FAILED;
  }
  memory_writer writer = {NULL, 0, 0};
  png_bytep *volatile rows = NULL;
  if (setjmp(context.jump)) {
    free(rows);
    free(writer.buffer);
    png_destroy_write_struct(&png, &info);
    return FL_CODEC_FAILED;
  }
  png_set_write_fn(png, &writer, png_write_memory, png_flush_memory);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, color_types[channels], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
  if (!rows) png_error(png, "out of memory");
  const size_t row_bytes = (size_t)width * channels;
  for (int y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * row_bytes);
  png_write_image(png, rows);
  png_write_end(png, NULL);
  free(rows);
  png_destroy_write_struct(&png, &info);
  *out = writer.buffer;
  *out_size = writer.size;
  return FL_CODEC_OK;
}

// MARK: - JPEG

typedef struct {
  struct jpeg_error_mgr manager;  // first, so libjpeg's err pointer is also ours
  jmp_buf jump;
  char *message;
  size_t message_size;
} jpeg_error_context;

static void jpeg_on_error(j_common_ptr info) {
  jpeg_error_context *context = (jpeg_error_context *)info->err;
  char text[JMSG_LENGTH_MAX];
  (*info->err->format_message)(info, text);
  set_message(context->message, context->message_size, "%s", text);
  longjmp(context->jump, 1);
}

/// libjpeg reports truncated or corrupt entropy data only as a warning (level −1) and
/// fills the missing part with gray; for analysis data that is an error.
static void jpeg_on_message(j_common_ptr info, int level) {
  if (level < 0) jpeg_on_error(info);
}

/// libjpeg's error manager for one call: errors (and corrupt-data warnings) write `message`
/// and jump back to `context->jump`, which the caller sets with setjmp before any libjpeg call.
static struct jpeg_error_mgr *jpeg_error_manager(jpeg_error_context *context, char *message, size_t message_size) {
  struct jpeg_error_mgr *manager = jpeg_std_error(&context->manager);
  manager->error_exit = jpeg_on_error;
  manager->emit_message = jpeg_on_message;
  context->message = message;
  context->message_size = message_size;
  return manager;
}

int fl_jpeg_decode(const unsigned char *data, size_t size, fl_image *out, char *message, size_t message_size) {
  if (!out) return FL_CODEC_FAILED;
  memset(out, 0, sizeof *out);
  if (!data || size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
    set_message(message, message_size, "not a JPEG file (bad signature)");
    return FL_CODEC_CORRUPT;
  }
  struct jpeg_decompress_struct info;
  jpeg_error_context context;
  memset(&info, 0, sizeof info);
  info.err = jpeg_error_manager(&context, message, message_size);
  unsigned char *volatile pixels = NULL;
  volatile int status = FL_CODEC_CORRUPT;
  if (setjmp(context.jump)) {
    jpeg_destroy_decompress(&info);
    free(pixels);
    return status;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, (unsigned char *)data, (unsigned long)size);
  jpeg_read_header(&info, TRUE);
  switch (info.jpeg_color_space) {
    case JCS_CMYK:
    case JCS_YCCK:
      jpeg_destroy_decompress(&info);
      set_message(message, message_size, "CMYK JPEG images are not supported (convert to RGB)");
      return FL_CODEC_UNSUPPORTED;
    case JCS_GRAYSCALE:
      info.out_color_space = JCS_GRAYSCALE;
      break;
    default:
      info.out_color_space = JCS_RGB;
      break;
  }
  if (check_size(info.image_width, info.image_height, message, message_size)) {
    jpeg_destroy_decompress(&info);
    return FL_CODEC_UNSUPPORTED;
  }
  jpeg_start_decompress(&info);
  const int channels = info.output_components;
  if (channels != 1 && channels != 3) {
    status = FL_CODEC_UNSUPPORTED;
    ERREXIT(&info, JERR_BAD_J_COLORSPACE);
  }
  const size_t stride = (size_t)info.output_width * channels;
  pixels = (unsigned char *)malloc(stride * info.output_height);
  if (!pixels) {
    status = FL_CODEC_FAILED;
    ERREXIT1(&info, JERR_OUT_OF_MEMORY, 0);
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = pixels + (size_t)info.output_scanline * stride;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  out->width = (int)info.output_width;
  out->height = (int)info.output_height;
  out->channels = channels;
  out->bit_depth = 8;
  out->pixels = pixels;
  jpeg_destroy_decompress(&info);
  return FL_CODEC_OK;
}

/// A libjpeg destination that appends to a memory_writer we own (so that an error path
/// can free the buffer, which jpeg_mem_dest does not allow).
typedef struct {
  struct jpeg_destination_mgr manager;
  memory_writer writer;
  JOCTET chunk[16384];
} jpeg_memory_destination;

static void jpeg_destination_init(j_compress_ptr info) {
  jpeg_memory_destination *d = (jpeg_memory_destination *)info->dest;
  d->manager.next_output_byte = d->chunk;
  d->manager.free_in_buffer = sizeof d->chunk;
}

static boolean jpeg_destination_empty(j_compress_ptr info) {
  jpeg_memory_destination *d = (jpeg_memory_destination *)info->dest;
  if (memory_append(&d->writer, d->chunk, sizeof d->chunk)) ERREXIT1(info, JERR_OUT_OF_MEMORY, 1);
  d->manager.next_output_byte = d->chunk;
  d->manager.free_in_buffer = sizeof d->chunk;
  return TRUE;
}

static void jpeg_destination_term(j_compress_ptr info) {
  jpeg_memory_destination *d = (jpeg_memory_destination *)info->dest;
  size_t used = sizeof d->chunk - d->manager.free_in_buffer;
  if (memory_append(&d->writer, d->chunk, used)) ERREXIT1(info, JERR_OUT_OF_MEMORY, 2);
}

int fl_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size) {
  if (!out || !out_size) return FL_CODEC_FAILED;
  *out = NULL;
  *out_size = 0;
  if (!pixels || (channels != 1 && channels != 3 && channels != 4)) {
    set_message(message, message_size, "JPEG encoding takes 1 (gray), 3 (RGB) or 4 (CMYK) channels, got %d", channels);
    return FL_CODEC_FAILED;
  }
  if (check_size(width, height, message, message_size)) return FL_CODEC_FAILED;
  if (quality < 1 || quality > 100) {
    set_message(message, message_size, "JPEG quality must be 1-100, got %d", quality);
    return FL_CODEC_FAILED;
  }
  struct jpeg_compress_struct info;
  jpeg_error_context context;
  memset(&info, 0, sizeof info);
  info.err = jpeg_error_manager(&context, message, message_size);
  jpeg_memory_destination *volatile destination = (jpeg_memory_destination *)calloc(1, sizeof(jpeg_memory_destination));
  if (!destination) return FL_CODEC_FAILED;
  if (setjmp(context.jump)) {
    jpeg_destroy_compress(&info);
    free(destination->writer.buffer);
    free(destination);
    return FL_CODEC_FAILED;
  }
  jpeg_create_compress(&info);
  destination->manager.init_destination = jpeg_destination_init;
  destination->manager.empty_output_buffer = jpeg_destination_empty;
  destination->manager.term_destination = jpeg_destination_term;
  info.dest = &destination->manager;
  info.image_width = (JDIMENSION)width;
  info.image_height = (JDIMENSION)height;
  info.input_components = channels;
  info.in_color_space = channels == 1 ? JCS_GRAYSCALE : channels == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  const size_t stride = (size_t)width * channels;
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * stride);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  *out = destination->writer.buffer;
  *out_size = destination->writer.size;
  free(destination);
  return FL_CODEC_OK;
}
