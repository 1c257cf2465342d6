/// The element type of a dataset or attribute, as FourierLens understands it.
public enum ElementType: Equatable, Sendable, CustomStringConvertible {
    case float16
    /// bfloat16, stored either as an HDF5 float of size 2 with 8 exponent bits, or as uint16
    /// words with the attribute `dtype = "bfloat16"`.
    case bfloat16(asUInt16Words: Bool)
    case float32
    case float64
    case integer(bits: Int, signed: Bool)
    case string(variableLength: Bool, utf8: Bool)
    case unsupported(String)

    public var description: String {
        switch self {
        case .float16: return "float16"
        case let .bfloat16(words): return words ? "bfloat16 (uint16 words)" : "bfloat16"
        case .float32: return "float32"
        case .float64: return "float64"
        case let .integer(bits, signed): return (signed ? "int" : "uint") + String(bits)
        case let .string(variable, utf8): return (variable ? "vlen " : "fixed ") + (utf8 ? "utf-8 string" : "ascii string")
        case let .unsupported(what): return "unsupported (\(what))"
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }

    public var isNumeric: Bool {
        if case .integer = self { return true }
        return isFloatingPoint
    }

    public var isString: Bool {
        if case .string = self { return true }
        return false
    }

    /// Variable-length strings: libhdf5 reads them from the file's global heap.
    public var isVariableLengthString: Bool {
        if case .string(variableLength: true, _) = self { return true }
        return false
    }

    /// Bytes one element takes in memory once read as FourierLens reads it.
    public var byteWidth: Int {
        switch self {
        case .float16, .bfloat16: return 2
        case .float32: return 4
        case .float64: return 8
        case let .integer(bits, _): return bits / 8
        case .string, .unsupported: return 0
        }
    }
}

public enum ByteOrder: String, Sendable, Codable {
    case little, big, notApplicable = "n/a"
}
