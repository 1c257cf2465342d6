import CHDF5
import CIsolatedRead
import Foundation

/// Variable-length strings read in a forked child (Sources/CIsolatedRead): libhdf5 1.10 copies
/// from a damaged global heap without checking it, and crashes or loops for ever. The child
/// takes the crash or is killed after the time limit; the program reports the damaged object.
enum IsolatedStringRead {
    /// One read from an open object.
    struct Item {
        enum Kind {
            case attribute(String)
            /// All the values of a dataset.
            case values
            /// A dataset's creation properties (they carry its fill value, read from the heap).
            case creation(rank: Int)
        }

        let object: hid_t
        let kind: Kind
    }

    enum Record {
        case strings([String])
        case creation(fl_creation)
    }

    /// The item at `index` could not be read: the child crashed or hung on it.
    struct Damage: Error {
        let index: Int
        let reason: String
    }

    /// Per item, what was read, or nil where libhdf5 refused the read (a damage it detected).
    /// A child that sends nothing for `idleLimitSeconds` is taken to be looping and killed.
    static func read(_ items: [Item], idleLimitSeconds: Double) -> Result<[Record?], Damage> {
        if items.isEmpty { return .success([]) }
        let names = items.map { item -> UnsafeMutablePointer<CChar>? in
            if case let .attribute(name) = item.kind { return strdup(name) } else { return nil }
        }
        defer { names.forEach { free($0) } }
        let cItems = zip(items, names).map { item, name -> fl_vlen_item in
            switch item.kind {
            case .attribute: return fl_vlen_item(kind: FL_READ_ATTRIBUTE, object: item.object, attribute: name, rank: 0)
            case .values: return fl_vlen_item(kind: FL_READ_VALUES, object: item.object, attribute: nil, rank: 0)
            case let .creation(rank): return fl_vlen_item(kind: FL_READ_CREATION, object: item.object, attribute: nil, rank: Int32(clamping: rank))
            }
        }
        var result = fl_vlen_result()
        fl_vlen_read_isolated(cItems, cItems.count, Int32(clamping: Int((idleLimitSeconds * 1000).rounded(.up))), &result)
        defer { free(result.bytes) }
        let records = decodeRecords(UnsafeRawBufferPointer(start: result.bytes, count: result.length), of: items.map(\.kind))
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
            let seconds = idleLimitSeconds == idleLimitSeconds.rounded() ? String(Int(idleLimitSeconds)) : String(idleLimitSeconds)
            return "libhdf5 did not finish reading it within \(seconds) s"
        case FL_VLEN_EXITED:
            return "the reading process stopped with status \(result.detail)"
        case FL_VLEN_NO_CHILD:
            return "no reading process could be started (\(String(cString: strerror(result.detail))))"
        default:
            return "the reading process stopped before the end"
        }
    }

    /// The complete records at the start of `bytes`, one per kind in order (a record cut short
    /// by the child's death is dropped, and so is everything after it).
    static func decodeRecords(_ bytes: UnsafeRawBufferPointer, of kinds: [Item.Kind]) -> [Record?] {
        var records: [Record?] = []
        var offset = 0
        func take(_ n: Int) -> UnsafeRawBufferPointer? {
            guard n >= 0, bytes.count - offset >= n else { return nil }
            defer { offset += n }
            return UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + n])
        }
        func takeCount() -> Int? {
            take(8).map { $0.loadUnaligned(as: UInt64.self) }.map { $0 == .max ? -1 : Int(clamping: $0) }
        }
        for kind in kinds {
            guard let flag = take(1) else { break }
            guard flag[0] == 1 else { records.append(nil); continue }
            if case .creation = kind {
                guard let raw = take(MemoryLayout<fl_creation>.size) else { break }
                records.append(.creation(raw.loadUnaligned(as: fl_creation.self)))
                continue
            }
            guard let count = takeCount(), count >= 0, count <= (bytes.count - offset) / 8 else { break }
            var strings: [String] = []
            strings.reserveCapacity(count)
            for _ in 0 ..< count {
                guard let length = takeCount() else { return records }
                if length < 0 { strings.append(""); continue }  // a null string
                guard let text = take(length) else { return records }
                strings.append(String(decoding: text, as: UTF8.self))
            }
            records.append(.strings(strings))
        }
        return records
    }
}
