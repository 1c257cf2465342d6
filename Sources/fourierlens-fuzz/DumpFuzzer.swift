import FourierLens
import Foundation

/// What the fuzzer does with one input: write the bytes to a file, then open it, walk its tree,
/// validate it as a dump, build the inspect report (NaN/Inf scan included) and read every role
/// an analysis reads. Any outcome is fine except a crash, a trap or a hang.
enum DumpFuzzer {
    static let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("fourierlens-fuzz-\(getpid()).h5").path

    static func check(bytes: UnsafeRawBufferPointer) {
        guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes)) else { return }
        defer { unlink(scratch) }
        check(path: scratch)
    }

    static func check(path: String) {
        guard let file = try? HDF5File(readingFrom: path) else { return }
        // A looping string heap is given up on well before libFuzzer's own -timeout=20.
        file.stringReadTimeLimit = 2
        guard let dump = try? Dump(file: file) else { return }
        _ = try? InspectReport(file: file, dump: dump, scanValues: true)
        for info in dump.datasets where info.elementCount <= 1 << 20 {
            if info.elementType.isString {
                _ = try? file.readStrings(info.path)
            } else if case .integer = info.elementType, info.rank == 1 {
                _ = try? file.readIntegers(info.path)
            } else if info.elementType.isNumeric {
                _ = try? file.readFloats(info.path)
            }
        }
        if dump.isValid {
            _ = try? NumberMatrix.load(file: file, dump: dump, dataset: nil, values: nil, layer: nil,
                                       allowGaps: true, allowNonFinite: true, requireNumberAxis: false)
            _ = try? LensInput.load(file: file, dump: dump, sites: nil, layers: nil, norm: .none, position: 0, allowNonFinite: true)
        }
    }
}
