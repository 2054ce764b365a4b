// Image codecs over libpng and libjpeg, with their longjmp error paths contained in C.
//
// libpng and libjpeg report errors by longjmp; a longjmp must never cross Swift frames.
// Every function here sets its own setjmp point, catches the library's error, frees what
// it allocated and returns a status with a message. Callers own nothing on failure.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes of every fl_* codec call.
enum {
  FL_CODEC_OK = 0,
  /// The data is not a valid image of the format (message says why).
  FL_CODEC_CORRUPT = 1,
  /// A valid image that this codec does not handle (CMYK JPEG, absurd size, ...).
  FL_CODEC_UNSUPPORTED = 2,
  /// Bad arguments or out of memory.
  FL_CODEC_FAILED = 3,
};

/// Size of the message buffers callers pass in.
#define FL_CODEC_MESSAGE_SIZE 256

/// Largest accepted side and pixel count of a decoded image (guards against hostile headers).
#define FL_CODEC_MAX_SIDE 65535
#define FL_CODEC_MAX_PIXELS (1LL << 28)

/// A decoded image: interleaved samples, rows top to bottom.
typedef struct fl_image {
  int width;
  int height;
  /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
  int channels;
  /// 8 (one byte per sample) or 16 (one native-endian uint16_t per sample).
  int bit_depth;
  /// width * height * channels * bit_depth / 8 bytes, malloc'ed; free with fl_image_free.
  unsigned char *pixels;
} fl_image;

/// Frees the pixels of an image (safe on a zeroed image) and zeroes it.
void fl_image_free(fl_image *image);

/// Frees a buffer returned by an encoder.
void fl_buffer_free(unsigned char *buffer);

/// Decodes a PNG held in memory. Palette and low-bit-depth images are expanded to 8 bits,
/// transparency chunks become an alpha channel, 16-bit samples stay 16-bit, interlaced
/// images are de-interlaced.
int fl_png_decode(const unsigned char *data, size_t size, fl_image *out, char *message, size_t message_size);

/// Encodes 8-bit interleaved samples (channels 1–4) as a PNG in memory (*out is malloc'ed).
int fl_png_encode(const unsigned char *pixels, int width, int height, int channels,
                  unsigned char **out, size_t *out_size, char *message, size_t message_size);

/// Decodes a baseline or progressive JPEG held in memory to 8-bit gray (1 channel) or RGB
/// (3 channels). CMYK/YCCK images are refused with FL_CODEC_UNSUPPORTED. Any libjpeg
/// warning (truncated or corrupt entropy data) is treated as an error.
int fl_jpeg_decode(const unsigned char *data, size_t size, fl_image *out, char *message, size_t message_size);

/// Encodes 8-bit gray (channels 1), RGB (channels 3) or CMYK (channels 4) samples as a JPEG of the given
/// quality (1–100) in memory (*out is malloc'ed; free with fl_buffer_free).
int fl_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size);

#ifdef __cplusplus
}
#endif
