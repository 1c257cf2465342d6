/// What a dataset is, without its values: enough for `inspect` and for checking a role.
public struct DatasetInfo: Equatable, Sendable {
    public enum Layout: String, Sendable { case contiguous, chunked, compact, virtual, unknown }

    public let path: String
    public let shape: [Int]
    public let elementType: ElementType
    public let byteOrder: ByteOrder
    public let layout: Layout
    public let chunkShape: [Int]?
    public let filters: [String]
    /// Bytes the dataset takes in the file (after compression).
    public let storageBytes: Int
    public let attributes: [String: AttributeValue]

    public var rank: Int { shape.count }
    /// The number of values (Int.max when the shape's product overflows: no such file is real).
    public var elementCount: Int { saturatingProduct(shape) }
    /// Bytes of the values uncompressed, in their stored type.
    public var logicalBytes: Int { saturatingProduct([elementCount, elementType.byteWidth]) }

    /// Whether the file holds (up to compression) the values the shape declares. A dataset
    /// whose chunks were never written reads as its fill value (legitimately: a preallocated
    /// dataset); a damaged or hostile file can declare 10¹² values in a few KB. Deflate
    /// compresses at most about 1032:1.
    public var storesItsValues: Bool {
        logicalBytes == 0 || layout == .virtual
            || (storageBytes > 0 && saturatingProduct([storageBytes, 1100]) >= logicalBytes)
    }

    public var shapeDescription: String {
        "[" + shape.map(String.init).joined(separator: " × ") + "]"
    }
}

/// One node of a file's tree.
public enum HDF5Node: Equatable, Sendable {
    case group(path: String, attributes: [String: AttributeValue])
    case dataset(DatasetInfo)
    /// A link that could not be opened (dangling soft link, missing external file, ...).
    case unreadable(path: String, reason: String)
    /// A link listed but not walked: an external link, or a second link to a group.
    case link(path: String, note: String)

    public var path: String {
        switch self {
        case let .group(path, _): return path
        case let .dataset(info): return info.path
        case let .unreadable(path, _): return path
        case let .link(path, _): return path
        }
    }
}

/// The product of `factors`, or Int.max when it overflows.
func saturatingProduct(_ factors: [Int]) -> Int {
    var product = 1
    for factor in factors {
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return Int.max }
        product = next
    }
    return product
}
