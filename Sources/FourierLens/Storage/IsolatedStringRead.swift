import CHDF5
import CIsolatedRead
import Foundation

/// Variable-length strings read in a forked child (Sources/CIsolatedRead): libhdf5 1.10 copies
/// from a damaged global heap without checking it, and crashes or loops for ever. The child
/// takes the crash or is killed after the time limit; the program reports the damaged object.
enum IsolatedStringRead {
    /// One read: an attribute of an open object, or (attribute nil) an open dataset's values.
    struct Item {
        let object: hid_t
        let attribute: String?
    }

    /// The item at `index` could not be read: the child crashed or hung on it.
    struct Damage: Error {
        let index: Int
        let reason: String
    }

    /// Per item, its strings, or nil where libhdf5 refused the read (a damage it detected).
    /// A child that sends nothing for `idleLimitSeconds` is taken to be looping and killed.
    static func read(_ items: [Item], idleLimitSeconds: Double) -> Result<[[String]?], Damage> {
        if items.isEmpty { return .success([]) }
        let names = items.map { $0.attribute.map { strdup($0) } ?? nil }
        defer { names.forEach { free($0) } }
        let cItems = zip(items, names).map { fl_vlen_item(object: $0.object, attribute: $1.map { UnsafePointer($0) }) }
        var result = fl_vlen_result()
        fl_vlen_read_isolated(cItems, cItems.count, Int32(clamping: Int((idleLimitSeconds * 1000).rounded(.up))), &result)
        defer { free(result.bytes) }
        let records = decodeRecords(UnsafeRawBufferPointer(start: result.bytes, count: result.length))
        if result.outcome == FL_VLEN_FINISHED, records.count == items.count { return .success(records) }
        return .failure(Damage(index: min(records.count, items.count - 1), reason: reason(result, idleLimitSeconds)))
    }

    /// Why the child did not finish, in words.
    private static func reason(_ result: fl_vlen_result, _ idleLimitSeconds: Double) -> String {
        switch result.outcome {
        case FL_VLEN_SIGNALLED:
            let name = strsignal(result.detail).map { String(cString: $0) } ?? "signal"
            return "libhdf5 crashed reading it: \(name), signal \(result.detail)"
        case FL_VLEN_TIMED_OUT:
            return "libhdf5 did not finish reading it within \(formatSeconds(idleLimitSeconds)) s"
        case FL_VLEN_EXITED:
            return "the reading process stopped with status \(result.detail)"
        case FL_VLEN_NO_CHILD:
            return "no reading process could be started (\(String(cString: strerror(result.detail))))"
        default:
            return "the reading process stopped before the end"
        }
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    /// The complete records at the start of `bytes` (a record cut short by the child's death is dropped).
    static func decodeRecords(_ bytes: UnsafeRawBufferPointer) -> [[String]?] {
        var records: [[String]?] = []
        var offset = 0
        func take(_ n: Int) -> UnsafeRawBufferPointer? {
            guard n >= 0, bytes.count - offset >= n else { return nil }
            defer { offset += n }
            return UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + n])
        }
        func takeCount() -> UInt64? { take(8).map { $0.loadUnaligned(as: UInt64.self) } }
        while let flag = take(1) {
            guard flag[0] == 1 else { records.append(nil); continue }
            guard let count = takeCount(), count <= UInt64(bytes.count - offset) / 8 else { break }
            var strings: [String] = []
            strings.reserveCapacity(Int(count))
            for _ in 0 ..< count {
                guard let length = takeCount() else { return records }
                if length == UInt64.max { strings.append(""); continue }
                guard length <= UInt64(bytes.count - offset), let text = take(Int(length)) else { return records }
                strings.append(String(decoding: text, as: UTF8.self))
            }
            records.append(strings)
        }
        return records
    }
}
