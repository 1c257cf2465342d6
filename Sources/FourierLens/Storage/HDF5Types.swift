import CHDF5

/// Classifies an HDF5 datatype. `attributes` lets uint16 words marked as bfloat16 be recognised.
func classifyType(_ tid: hid_t, attributes: [String: AttributeValue] = [:]) -> (ElementType, ByteOrder) {
    let size = H5Tget_size(tid)
    let order: ByteOrder = {
        switch H5Tget_order(tid) {
        case H5T_ORDER_LE: return .little
        case H5T_ORDER_BE: return .big
        default: return .notApplicable
        }
    }()
    switch H5Tget_class(tid) {
    case H5T_FLOAT:
        var spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0
        H5Tget_fields(tid, &spos, &epos, &esize, &mpos, &msize)
        switch (size, esize, msize) {
        case (2, 5, 10): return (.float16, order)
        case (2, 8, 7): return (.bfloat16(asUInt16Words: false), order)
        case (4, 8, 23): return (.float32, order)
        case (8, 11, 52): return (.float64, order)
        default: return (.unsupported("float of \(size) bytes, \(esize) exponent bits, \(msize) mantissa bits"), order)
        }
    case H5T_INTEGER:
        let signed = H5Tget_sign(tid) == H5T_SGN_2
        if size == 2, !signed, attributes["dtype"]?.string?.lowercased() == "bfloat16" {
            return (.bfloat16(asUInt16Words: true), order)
        }
        guard [1, 2, 4, 8].contains(size) else { return (.unsupported("integer of \(size) bytes"), order) }
        return (.integer(bits: size * 8, signed: signed), order)
    case H5T_STRING:
        let variable = H5Tis_variable_str(tid) > 0
        return (.string(variableLength: variable, utf8: H5Tget_cset(tid) == H5T_CSET_UTF8), .notApplicable)
    case H5T_COMPOUND: return (.unsupported("compound"), order)
    case H5T_ENUM: return (.unsupported("enum"), order)
    case H5T_OPAQUE: return (.unsupported("opaque"), order)
    case H5T_ARRAY: return (.unsupported("array"), order)
    case H5T_VLEN: return (.unsupported("variable-length sequence"), order)
    case H5T_BITFIELD: return (.unsupported("bitfield"), order)
    case H5T_REFERENCE: return (.unsupported("reference"), order)
    case H5T_TIME: return (.unsupported("time"), order)
    default: return (.unsupported("unknown class"), order)
    }
}

/// Reads `count` fixed-length strings of type `fileType` through `read`, which fills a buffer
/// laid out in the memory type it is given. (Variable-length strings: `IsolatedStringRead`.)
func readFixedLengthStrings(fileType: hid_t, count: Int, read: (hid_t, UnsafeMutableRawPointer) -> herr_t) -> [String]? {
    let memType = H5Tcopy(fl_h5t_c_s1())
    defer { H5Tclose(memType) }
    H5Tset_cset(memType, H5Tget_cset(fileType))
    let width = H5Tget_size(fileType)
    H5Tset_size(memType, width)
    H5Tset_strpad(memType, H5Tget_strpad(fileType))
    var bytes = [UInt8](repeating: 0, count: max(1, width * count))
    let status = bytes.withUnsafeMutableBytes { read(memType, $0.baseAddress!) }
    guard status >= 0 else { return nil }
    let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
    return (0..<count).map { i in
        var slice = Array(bytes[i * width ..< (i + 1) * width])
        if let end = slice.firstIndex(of: 0) { slice = Array(slice[..<end]) }
        var text = String(decoding: slice, as: UTF8.self)
        if spacePadded { while text.hasSuffix(" ") { text.removeLast() } }
        return text
    }
}
