// The PNG decoder behind reprise_png_decode (see include/CImageCodecs.h). libpng reports errors by longjmp, which
// Swift cannot catch: this file is C for that reason alone.
#include "CImageCodecs.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size, offset;
    char *error;
    size_t error_size;
} source;

static void read_bytes(png_structp png, png_bytep out, png_size_t count) {
    source *s = png_get_io_ptr(png);
    if (count > s->size - s->offset) png_error(png, "the file ends early (truncated)");
    memcpy(out, s->data + s->offset, count);
    s->offset += count;
}

static void on_error(png_structp png, png_const_charp message) {
    source *s = png_get_error_ptr(png);
    snprintf(s->error, s->error_size, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

int reprise_png_decode(const uint8_t *data, size_t size, reprise_image *out, char *error, size_t error_size) {
    memset(out, 0, sizeof *out);
    source s = { data, size, 0, error, error_size };
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) { snprintf(error, error_size, "not a PNG file (bad signature)"); return 1; }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
    if (!png) { snprintf(error, error_size, "libpng could not start"); return 1; }
    png_infop info = png_create_info_struct(png);
    // Volatile: changed after setjmp and read after a longjmp back to it.
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        free(pixels); free(rows);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        if (!error[0]) snprintf(error, error_size, "libpng failed");
        return 1;
    }
    error[0] = 0;
    png_set_read_fn(png, &s, read_bytes);
    png_set_user_limits(png, 1 << 16, 1 << 16);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
    if (depth == 16) png_error(png, "16-bit samples are not supported (convert to 8 bits)");
    if (type & PNG_COLOR_MASK_ALPHA) png_error(png, "has an alpha channel (convert to RGB or gray)");
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_error(png, "has tRNS transparency (convert to RGB or gray)");
    if ((uint64_t)width * height > REPRISE_IMAGE_MAX_PIXELS) png_error(png, "more than 2^26 pixels");
    int channels;
    if (type == PNG_COLOR_TYPE_PALETTE) { png_set_palette_to_rgb(png); channels = 3; }
    else if (type == PNG_COLOR_TYPE_GRAY) { if (depth < 8) png_set_expand_gray_1_2_4_to_8(png); channels = 1; }
    else if (type == PNG_COLOR_TYPE_RGB) channels = 3;
    else png_error(png, "unsupported colour type");
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * channels) png_error(png, "unexpected row size after expansion");
    pixels = malloc((size_t)width * height * channels);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (png_uint_32 r = 0; r < height; r++) rows[r] = pixels + (size_t)r * width * channels;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    out->width = (int32_t)width; out->height = (int32_t)height; out->channels = channels; out->pixels = pixels;
    return 0;
}

void reprise_image_free(reprise_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
