import CRSVG
import Foundation

/// Draws a chart's SVG with librsvg through cairo, in this process: as pixels at a zoom (for the
/// PNG) or as a PDF page. The same library and the same steps as Debian's `rsvg-convert`: the
/// SVG's own size in CSS pixels, times the zoom, rounded up; a PDF page of that size in points.
enum ChartRenderer {
    /// An opaque or translucent picture, [height × width] pixels, RGBA, not premultiplied.
    struct Pixels {
        let width: Int
        let height: Int
        let rgba: [UInt8]
    }

    static func pixels(svg: String, zoom: Double) throws -> Pixels {
        try withHandle(svg) { handle, width, height in
            let w = Int((width * zoom - 1e-6).rounded(.up)), h = Int((height * zoom - 1e-6).rounded(.up))
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w), Int32(h)) else {
                throw failure(svg, "cairo could not make a \(w) × \(h) picture")
            }
            defer { cairo_surface_destroy(surface) }
            try draw(handle, on: surface, scale: zoom, width: width, height: height, svg: svg)
            cairo_surface_flush(surface)
            return unpremultiplied(surface, width: w, height: h)
        }
    }

    static func pdf(svg: String, to path: String) throws {
        try withHandle(svg) { handle, width, height in
            // CSS pixels are 1/96 inch, PDF points 1/72.
            let points = 72.0 / 96
            guard let surface = cairo_pdf_surface_create(path, width * points, height * points) else {
                throw failure(svg, "cairo could not start a PDF")
            }
            defer { cairo_surface_destroy(surface) }
            // A fixed date: the same chart is the same bytes.
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "1970-01-01T00:00:00Z")
            try draw(handle, on: surface, scale: points, width: width, height: height, svg: svg)
            cairo_surface_finish(surface)
            let status = cairo_surface_status(surface)
            guard status == CAIRO_STATUS_SUCCESS else { throw failure(svg, String(cString: cairo_status_to_string(status))) }
        }
    }

    private static func withHandle<T>(_ svg: String, _ body: (UnsafeMutablePointer<RsvgHandle>, Double, Double) throws -> T) throws -> T {
        var error: UnsafeMutablePointer<GError>? = nil
        guard let handle = rsvg_handle_new_from_file(svg, &error) else { throw failure(svg, consume(error)) }
        defer { g_object_unref(UnsafeMutableRawPointer(handle)) }
        rsvg_handle_set_dpi(handle, 96)
        var width = 0.0, height = 0.0
        guard rsvg_handle_get_intrinsic_size_in_pixels(handle, &width, &height) != 0, width > 0, height > 0 else {
            throw failure(svg, "the SVG has no size in pixels")
        }
        return try body(handle, width, height)
    }

    private static func draw(_ handle: UnsafeMutablePointer<RsvgHandle>, on surface: OpaquePointer, scale: Double, width: Double, height: Double,
                             svg: String) throws {
        guard let cr = cairo_create(surface) else { throw failure(svg, "cairo could not draw") }
        defer { cairo_destroy(cr) }
        cairo_scale(cr, scale, scale)
        var viewport = RsvgRectangle(x: 0, y: 0, width: width, height: height)
        var error: UnsafeMutablePointer<GError>? = nil
        guard rsvg_handle_render_document(handle, cr, &viewport, &error) != 0 else { throw failure(svg, consume(error)) }
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else { throw failure(svg, String(cString: cairo_status_to_string(status))) }
    }

    /// cairo's ARGB32 words (premultiplied, native byte order) as RGBA bytes, unpremultiplied as
    /// cairo's own PNG writer does.
    private static func unpremultiplied(_ surface: OpaquePointer, width: Int, height: Int) -> Pixels {
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        rgba.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let word = row[x], alpha = word >> 24
                    let o = (y * width + x) * 4
                    func channel(_ shift: UInt32) -> UInt8 {
                        let c = (word >> shift) & 0xFF
                        return alpha == 0 ? 0 : UInt8((c * 255 + alpha / 2) / alpha)
                    }
                    out[o] = channel(16); out[o + 1] = channel(8); out[o + 2] = channel(0); out[o + 3] = UInt8(alpha)
                }
            }
        }
        return Pixels(width: width, height: height, rgba: rgba)
    }

    private static func consume(_ error: UnsafeMutablePointer<GError>?) -> String {
        guard let error else { return "librsvg gave no reason" }
        defer { g_error_free(error) }
        return String(cString: error.pointee.message)
    }

    private static func failure(_ svg: String, _ reason: String) -> FourierLensError {
        .outputFailure(output: URL(fileURLWithPath: svg).lastPathComponent, reason: "librsvg: \(reason)")
    }
}

/// A PNG from pixels: IHDR, the physical resolution (pHYs, so a document places it at its print
/// size), the rows deflated by zlib, IEND. RGB when every pixel is opaque, as cairo writes it.
enum PNGEncoder {
    static func encode(_ pixels: ChartRenderer.Pixels, dpi: Double) throws -> Data {
        let opaque = stride(from: 3, to: pixels.rgba.count, by: 4).allSatisfy { pixels.rgba[$0] == 255 }
        let channels = opaque ? 3 : 4
        // Each row: filter type 0 (none), then its pixels, deflated at level 3. Charts are flat
        // colours and thin lines, which deflate well unfiltered; libpng's filter search and
        // level 6 took more than half the time of a print PNG, for files a third smaller.
        var raw = [UInt8]()
        raw.reserveCapacity(pixels.height * (1 + pixels.width * channels))
        for y in 0..<pixels.height {
            raw.append(0)
            let row = pixels.rgba[(y * pixels.width * 4)..<((y + 1) * pixels.width * 4)]
            if opaque {
                var i = row.startIndex
                while i < row.endIndex { raw.append(row[i]); raw.append(row[i + 1]); raw.append(row[i + 2]); i += 4 }
            } else {
                raw.append(contentsOf: row)
            }
        }
        var compressedLength = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        guard compress2(&compressed, &compressedLength, raw, uLong(raw.count), 3) == Z_OK else {
            throw FourierLensError.outputFailure(output: "PNG", reason: "zlib could not compress the picture")
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = bigEndian(UInt32(pixels.width)) + bigEndian(UInt32(pixels.height))
        header += [8, opaque ? 2 : 6, 0, 0, 0]  // 8 bits, RGB or RGBA, deflate, adaptive filtering, no interlace
        append(&png, "IHDR", header)
        let perMetre = UInt32((dpi / 0.0254).rounded())
        append(&png, "pHYs", bigEndian(perMetre) + bigEndian(perMetre) + [1])  // unit: the metre
        append(&png, "IDAT", Array(compressed[0..<Int(compressedLength)]))
        append(&png, "IEND", [])
        return png
    }

    private static func append(_ png: inout Data, _ type: String, _ body: [UInt8]) {
        let typed = Array(type.utf8) + body
        png.append(contentsOf: bigEndian(UInt32(body.count)))
        png.append(contentsOf: typed)
        png.append(contentsOf: bigEndian(UInt32(crc32(0, typed, uInt(typed.count)))))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
