import CHDF5
import CIsolatedRead

/// A dataset's layout, chunk shape and filters, as `inspect` shows them (read by
/// `fl_read_creation`, here or in the isolated child).
struct CreationProperties: Equatable {
    var layout: DatasetInfo.Layout = .unknown
    var chunk: [Int]? = nil
    var filters: [String] = []

    /// What libhdf5 refused to describe.
    static let unknown = CreationProperties()

    /// Read in this process: for every dataset but variable-length strings.
    static func read(_ dataset: hid_t, rank: Int) -> CreationProperties {
        var creation = fl_creation()
        guard fl_read_creation(dataset, Int32(clamping: rank), &creation) == 0 else { return .unknown }
        return CreationProperties(creation)
    }

    init() {}

    init(_ creation: fl_creation) {
        switch H5D_layout_t(rawValue: creation.layout) {
        case H5D_CONTIGUOUS: layout = .contiguous
        case H5D_COMPACT: layout = .compact
        case H5D_VIRTUAL: layout = .virtual
        case H5D_CHUNKED:
            layout = .chunked
            chunk = withUnsafeBytes(of: creation.chunk) { Array($0.bindMemory(to: UInt64.self).prefix(Int(creation.chunk_rank))) }
                .map { Int(clamping: $0) }
        default: layout = .unknown
        }
        filters = withUnsafeBytes(of: creation.filters) { raw in
            Array(raw.bindMemory(to: fl_filter.self).prefix(Int(creation.filter_count)))
        }.map(Self.describe)
    }

    private static func describe(_ filter: fl_filter) -> String {
        switch H5Z_filter_t(filter.id) {
        case H5Z_FILTER_DEFLATE: return "gzip(\(filter.has_first_value != 0 ? filter.first_value : 0))"
        case H5Z_FILTER_SHUFFLE: return "shuffle"
        case H5Z_FILTER_FLETCHER32: return "fletcher32"
        case H5Z_FILTER_SZIP: return "szip"
        case H5Z_FILTER_NBIT: return "nbit"
        case H5Z_FILTER_SCALEOFFSET: return "scaleoffset"
        default:
            let bytes = withUnsafeBytes(of: filter.name) { Array($0.prefix { $0 != 0 }) }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "filter \(filter.id)" : "\(text) (\(filter.id))"
        }
    }
}
