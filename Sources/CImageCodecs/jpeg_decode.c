// The JPEG decoder behind reprise_jpeg_decode (see include/CImageCodecs.h), through TurboJPEG's C API.
#include "CImageCodecs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

int reprise_jpeg_decode(const uint8_t *data, size_t size, reprise_image *out, char *error, size_t error_size) {
    memset(out, 0, sizeof *out);
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        snprintf(error, error_size, "not a JPEG file (no start-of-image marker)");
        return 1;
    }
    tjhandle handle = tjInitDecompress();
    if (!handle) { snprintf(error, error_size, "TurboJPEG could not start: %s", tjGetErrorStr2(NULL)); return 1; }
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handle, data, (unsigned long)size, &width, &height, &subsampling, &colorspace) != 0) {
        snprintf(error, error_size, "%s", tjGetErrorStr2(handle));
        tjDestroy(handle);
        return 1;
    }
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
        snprintf(error, error_size, "CMYK/YCCK JPEGs are not supported (convert to RGB)");
        tjDestroy(handle);
        return 1;
    }
    if (width <= 0 || height <= 0 || (uint64_t)width * (uint64_t)height > REPRISE_IMAGE_MAX_PIXELS) {
        snprintf(error, error_size, "%d x %d pixels: more than 2^26 (or none)", width, height);
        tjDestroy(handle);
        return 1;
    }
    int channels = colorspace == TJCS_GRAY ? 1 : 3;
    uint8_t *pixels = malloc((size_t)width * height * channels);
    if (!pixels) { snprintf(error, error_size, "out of memory"); tjDestroy(handle); return 1; }
    // Flags 0: accurate integer IDCT and fancy upsampling (the library's defaults, and Pillow's).
    if (tjDecompress2(handle, data, (unsigned long)size, pixels, width, 0, height,
                      channels == 1 ? TJPF_GRAY : TJPF_RGB, 0) != 0) {
        // Warnings count: TurboJPEG returns -1 for them too (a truncated file's "Premature end of JPEG file").
        snprintf(error, error_size, "%s", tjGetErrorStr2(handle));
        free(pixels);
        tjDestroy(handle);
        return 1;
    }
    tjDestroy(handle);
    out->width = width; out->height = height; out->channels = channels; out->pixels = pixels;
    return 0;
}
