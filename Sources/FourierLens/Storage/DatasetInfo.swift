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
    public var elementCount: Int { shape.reduce(1, *) }
    /// Bytes of the values uncompressed, in their stored type.
    public var logicalBytes: Int { elementCount * elementType.byteWidth }

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

    public var path: String {
        switch self {
        case let .group(path, _): return path
        case let .dataset(info): return info.path
        case let .unreadable(path, _): return path
        }
    }
}
