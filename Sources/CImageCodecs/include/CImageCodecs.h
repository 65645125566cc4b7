#ifndef REPRISE_CIMAGECODECS_H
#define REPRISE_CIMAGECODECS_H
#include <stddef.h>
#include <stdint.h>

/// Decoded 8-bit samples, row-major, interleaved (1 channel: gray; 3: R, G, B). `pixels` is malloc'ed: free it with
/// reprise_image_free.
typedef struct {
    int32_t width, height, channels;
    uint8_t *pixels;
} reprise_image;

/// The largest image either decoder accepts (width · height), checked before any pixel buffer is allocated.
#define REPRISE_IMAGE_MAX_PIXELS (1 << 26)

/// Decodes a PNG held in memory with libpng's classic (not the simplified) reader. Accepted: gray of 1, 2, 4 or 8 bits
/// (expanded to 0…255 by libpng's bit replication), 8-bit RGB, palette images (expanded to RGB from the palette);
/// interlaced or not. Refused, with a reason in `error`: 16-bit samples, any alpha channel or tRNS transparency,
/// more than REPRISE_IMAGE_MAX_PIXELS, and anything libpng reports (bad signature, CRC, truncation). No gamma or
/// colour-space conversion is applied: samples are the file's. Returns 0 on success.
int reprise_png_decode(const uint8_t *data, size_t size, reprise_image *out, char *error, size_t error_size);

/// Decodes a JPEG held in memory with TurboJPEG (libjpeg-turbo): gray JPEGs to 1 channel, YCbCr to RGB, with the
/// library defaults (accurate integer IDCT, fancy upsampling), the same settings as Pillow's decoder. Refused: CMYK
/// and YCCK, more than REPRISE_IMAGE_MAX_PIXELS, and any error or warning of the library (a truncated file is a
/// warning there: "Premature end of JPEG file"). Returns 0 on success.
int reprise_jpeg_decode(const uint8_t *data, size_t size, reprise_image *out, char *error, size_t error_size);

void reprise_image_free(reprise_image *image);

#endif
