// librsvg (Debian's librsvg2-dev) draws a chart's SVG through cairo into a pixel buffer or a PDF;
// zlib compresses the PNG's pixels and gives the CRC-32 of its chunks.
#include <librsvg/rsvg.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <zlib.h>
