import CRSVG
import Foundation

/// Draws a chart's SVG with librsvg through cairo, in this process: as pixels at a zoom (for the
/// PNG) or as a PDF page. The same library and the same steps as Debian's `rsvg-convert`: the
/// SVG's own size in CSS pixels, times the zoom, rounded up; a PDF page of that size in points.
enum ChartRenderer {
    /// A picture as PNG scanlines: each row its filter byte (0, none) and its pixels, RGB when
    /// every pixel is opaque (as cairo's own PNG writer does), RGBA otherwise, not premultiplied.
    struct Pixels {
        let width: Int
        let height: Int
        let opaque: Bool
        let rows: [UInt8]
    }

    static func pixels(svg: String, zoom: Double) throws -> Pixels {
        try withHandle(svg) { handle, width, height in
            let w = Int((width * zoom - 1e-6).rounded(.up)), h = Int((height * zoom - 1e-6).rounded(.up))
            // cairo returns an error surface (no pixels) rather than nil when it cannot make one.
            guard w <= Int(Int32.max), h <= Int(Int32.max),
                  let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w), Int32(h)) else {
                throw failure(svg, "cairo could not make a \(w) × \(h) picture")
            }
            defer { cairo_surface_destroy(surface) }
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                throw failure(svg, "cairo could not make a \(w) × \(h) picture")
            }
            try draw(handle, on: surface, scale: zoom, width: width, height: height, svg: svg)
            cairo_surface_flush(surface)
            return scanlines(surface, width: w, height: h)
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
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "1970-01-01T00:00:00+00:00")
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

    /// cairo's ARGB32 words (premultiplied, native byte order) as PNG scanlines, unpremultiplied
    /// as cairo's own PNG writer does, in one pass without zero-filling the buffer first.
    private static func scanlines(_ surface: OpaquePointer, width: Int, height: Int) -> Pixels {
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = UnsafeRawPointer(cairo_image_surface_get_data(surface)!)
        func row(_ y: Int) -> UnsafePointer<UInt32> { (data + y * stride).assumingMemoryBound(to: UInt32.self) }
        let opaque = (0..<height).allSatisfy { y in let r = row(y); return (0..<width).allSatisfy { r[$0] >> 24 == 255 } }
        let channels = opaque ? 3 : 4, rowBytes = 1 + width * channels
        let rows = [UInt8](unsafeUninitializedCapacity: height * rowBytes) { out, count in
            for y in 0..<height {
                let words = row(y)
                var o = y * rowBytes
                out[o] = 0
                o += 1
                for x in 0..<width {
                    let word = words[x], alpha = word >> 24
                    if alpha == 255 || alpha == 0 {  // opaque, as nearly every pixel of a chart, or empty (all zero)
                        out[o] = UInt8(truncatingIfNeeded: word >> 16); out[o + 1] = UInt8(truncatingIfNeeded: word >> 8)
                        out[o + 2] = UInt8(truncatingIfNeeded: word)
                    } else {
                        func channel(_ shift: UInt32) -> UInt8 { UInt8((((word >> shift) & 0xFF) * 255 + alpha / 2) / alpha) }
                        out[o] = channel(16); out[o + 1] = channel(8); out[o + 2] = channel(0)
                    }
                    if !opaque { out[o + 3] = UInt8(alpha) }
                    o += channels
                }
            }
            count = height * rowBytes
        }
        return Pixels(width: width, height: height, opaque: opaque, rows: rows)
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

/// A PNG from scanlines: IHDR, the physical resolution (pHYs, so a document places it at its
/// print size), the rows deflated by zlib, IEND.
enum PNGEncoder {
    static func encode(_ pixels: ChartRenderer.Pixels, dpi: Double) throws -> Data {
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = bigEndian(UInt32(pixels.width)) + bigEndian(UInt32(pixels.height))
        header += [8, pixels.opaque ? 2 : 6, 0, 0, 0]  // 8 bits, RGB or RGBA, deflate, adaptive filtering, no interlace
        append(&png, "IHDR", header)
        let perMetre = UInt32((dpi / 0.0254).rounded())
        append(&png, "pHYs", bigEndian(perMetre) + bigEndian(perMetre) + [1])  // unit: the metre
        append(&png, "IDAT", try ZlibStream.deflate(pixels.rows))
        append(&png, "IEND", [])
        return png
    }

    private static func append(_ png: inout Data, _ type: String, _ body: [UInt8]) {
        let typed = Array(type.utf8) + body
        png.append(contentsOf: bigEndian(UInt32(body.count)))
        png.append(contentsOf: typed)
        png.append(contentsOf: bigEndian(UInt32(crc32(0, typed, uInt(typed.count)))))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// A zlib stream (RFC 1950) of a PNG's rows, deflated at level 3 in pieces on both cores: each
/// piece a raw deflate ending on a byte boundary (a full flush), the last one finished, joined
/// behind the zlib header and followed by the Adler-32 of the whole, which zlib combines from
/// the pieces'. Fixed pieces: the same rows give the same bytes on any machine. Rows unfiltered:
/// charts are flat colours and thin lines, which deflate well so; libpng's filter search and
/// level 6 took more than half the time of a print PNG, for files a third smaller.
enum ZlibStream {
    static let pieces = 2

    static func deflate(_ data: [UInt8]) throws -> [UInt8] {
        let bounds = (0...pieces).map { data.count * $0 / pieces }
        var outputs = [[UInt8]?](repeating: nil, count: pieces)
        var checks = [uLong](repeating: 0, count: pieces)
        outputs.withUnsafeMutableBufferPointer { out in
            checks.withUnsafeMutableBufferPointer { sums in
                let o = UncheckedPointer(out.baseAddress!), s = UncheckedPointer(sums.baseAddress!)
                data.withUnsafeBufferPointer { input in
                    let whole = UncheckedPointer(UnsafeMutablePointer(mutating: input.baseAddress!))
                    DispatchQueue.concurrentPerform(iterations: pieces) { i in
                        let piece = UnsafeBufferPointer(start: whole.pointer + bounds[i], count: bounds[i + 1] - bounds[i])
                        o.pointer[i] = rawDeflate(piece, last: i == pieces - 1)
                        s.pointer[i] = adler32(1, piece.baseAddress, uInt(piece.count))
                    }
                }
            }
        }
        var stream: [UInt8] = [0x78, 0x5E]  // deflate, 32 KiB window, "default" level class (2–5)
        var check = checks[0]
        for i in 0..<pieces {
            guard let piece = outputs[i] else {
                throw FourierLensError.outputFailure(output: "PNG", reason: "zlib could not compress the picture")
            }
            stream += piece
            if i > 0 { check = adler32_combine(check, checks[i], off_t(bounds[i + 1] - bounds[i])) }
        }
        return stream + PNGEncoder.bigEndian(UInt32(check))
    }

    private static func rawDeflate(_ input: UnsafeBufferPointer<UInt8>, last: Bool) -> [UInt8]? {
        var z = z_stream()
        guard deflateInit2_(&z, 3, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { deflateEnd(&z) }
        let capacity = Int(deflateBound(&z, uLong(input.count))) + 16
        var ok = true
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            z.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            z.avail_in = uInt(input.count)
            z.next_out = buffer.baseAddress
            z.avail_out = uInt(capacity)
            let result = CRSVG.deflate(&z, last ? Z_FINISH : Z_FULL_FLUSH)
            ok = last ? result == Z_STREAM_END : (result == Z_OK && z.avail_in == 0)
            count = capacity - Int(z.avail_out)
        }
        return ok ? out : nil
    }
}
