/* cfcd's JPEG window decoder: libjpeg-turbo's scaled decoding, row skipping and column cropping
   (jpeg_crop_scanline) behind one call. Built by build/NativeJpeg.targets where a C compiler and libjpeg headers
   exist; cfcd falls back to SkiaSharp without it. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>

enum { CFCD_OK = 0, CFCD_DAMAGED = -1, CFCD_UNSUPPORTED = -2 };

struct error_manager {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    char message[JMSG_LENGTH_MAX];
};

static void exit_with_message(j_common_ptr decoder)
{
    struct error_manager *errors = (struct error_manager *)decoder->err;
    (*decoder->err->format_message)(decoder, errors->message);
    longjmp(errors->escape, 1);
}

static void keep_quiet(j_common_ptr decoder) { (void)decoder; }

/* Decodes the JPEG at `path` at scale 1/denominator (1, 2, 4, 8) into RGBX rows: rows [top, bottom) of a window
   of the scaled image whose columns [left, right) (clamped to it) are exactly those of a full decode. `output`
   receives rows of `*width` pixels starting at column `*first_column`: a window around [left, right) whose columns
   outside it may differ from the full decode; `*scaled_width` and `*scaled_height` are the scaled image's size. A
   header-only call (capacity 0) just reports the scaled size. Returns CFCD_OK, CFCD_DAMAGED (with `message`) or
   CFCD_UNSUPPORTED (CMYK / YCCK, left to the caller's other decoder). */
int cfcd_jpeg_decode_window(const char *path, int denominator, int left, int right, int top, int bottom,
                            unsigned char *output, long capacity, int *first_column, int *width, int *rows,
                            int *scaled_width, int *scaled_height, char *message, int message_capacity)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(message, message_capacity, "cannot open the file");
        return CFCD_DAMAGED;
    }
    struct jpeg_decompress_struct decoder;
    struct error_manager errors;
    decoder.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = exit_with_message;
    errors.base.output_message = keep_quiet;
    if (setjmp(errors.escape)) {
        snprintf(message, message_capacity, "%s", errors.message);
        jpeg_destroy_decompress(&decoder);
        fclose(file);
        return CFCD_DAMAGED;
    }
    jpeg_create_decompress(&decoder);
    jpeg_stdio_src(&decoder, file);
    jpeg_read_header(&decoder, TRUE);
    if (decoder.jpeg_color_space == JCS_CMYK || decoder.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&decoder);
        fclose(file);
        return CFCD_UNSUPPORTED;
    }
    decoder.scale_num = 1;
    decoder.scale_denom = denominator;
    decoder.out_color_space = JCS_EXT_RGBX;
    /* Skia's decoder keeps libjpeg's defaults; set here in case this libjpeg's jconfig.h changes JDCT_DEFAULT. */
    decoder.dct_method = JDCT_ISLOW;
    decoder.do_fancy_upsampling = TRUE;
    jpeg_calc_output_dimensions(&decoder);
    *scaled_width = decoder.output_width;
    *scaled_height = decoder.output_height;
    if (capacity == 0) {
        jpeg_destroy_decompress(&decoder);
        fclose(file);
        return CFCD_OK;
    }
    if (right > (int)decoder.output_width) right = decoder.output_width;
    if (bottom > (int)decoder.output_height) bottom = decoder.output_height;
    if (left < 0) left = 0;
    if (top < 0) top = 0;
    jpeg_start_decompress(&decoder);
    /* Fancy (triangle) chroma upsampling takes a window's first and last columns for image edges: decode one column
       more on each side (jpeg_crop_scanline widens the left further, to a whole iMCU). */
    JDIMENSION column = left > 0 ? left - 1 : 0;
    JDIMENSION columns = (right < (int)decoder.output_width ? right + 1 : (int)decoder.output_width) - column;
    jpeg_crop_scanline(&decoder, &column, &columns);
    long stride = (long)columns * 4;
    if (stride * (bottom - top) > capacity) {
        snprintf(message, message_capacity, "window of %u x %d pixels exceeds the buffer", columns, bottom - top);
        jpeg_destroy_decompress(&decoder);
        fclose(file);
        return CFCD_DAMAGED;
    }
    if (top > 0)
        jpeg_skip_scanlines(&decoder, top);
    int decoded = 0;
    while ((int)decoder.output_scanline < bottom) {
        JSAMPROW row = output + stride * decoded;
        if (jpeg_read_scanlines(&decoder, &row, 1) != 1)
            break;
        decoded++;
    }
    /* libjpeg pads a truncated file with grey and warns: treat that as damage, as Skia's IncompleteInput is. */
    int damaged = decoded != bottom - top || errors.base.num_warnings > 0;
    if (damaged)
        snprintf(message, message_capacity, "%s", decoded != bottom - top ? "rows missing" : "premature end of data");
    *first_column = column;
    *width = columns;
    *rows = decoded;
    jpeg_destroy_decompress(&decoder);
    fclose(file);
    return damaged ? CFCD_DAMAGED : CFCD_OK;
}
