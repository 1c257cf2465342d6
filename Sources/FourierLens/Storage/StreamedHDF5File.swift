import CHDF5
import Foundation

/// An HDF5 file whose large datasets are written a block of rows at a time, straight to disk:
/// HDF5 lays the file out (every large dataset contiguous, its space reserved when created and
/// never filled), then the rows go to their place with pwrite(2). Memory stays bounded by one
/// block however many rows there are, and a full disk is one error from a write, never a
/// failure inside the HDF5 library. Same calls, same bytes: no timestamps, no fill.
public final class StreamedHDF5File {
    public enum Element: Sendable {
        case float32, float64, int64
        var bytes: Int { self == .float32 ? 4 : 8 }
        var fileType: hid_t {
            switch self {
            case .float32: return fl_h5t_ieee_f32le()
            case .float64: return fl_h5t_ieee_f64le()
            case .int64: return fl_h5t_std_i64le()
            }
        }
    }

    public struct Streamed: Sendable {
        public let path: String
        public let shape: [Int]
        public let element: Element
        public init(_ path: String, shape: [Int], _ element: Element) {
            self.path = path; self.shape = shape; self.element = element
        }
        var bytes: Int { shape.reduce(1, *) * element.bytes }
    }

    /// The path the user knows this file by (the output directory), for messages.
    let shownAs: String
    private var datasets: [String: (offset: Int?, element: Element, elements: Int)] = [:]
    private var fd: Int32 = -1

    /// Lays out `path`: `small` writes the attributes and small datasets through HDF5, `streamed`
    /// lists the large datasets to be filled with `write`. Refuses at once when the disk cannot
    /// hold them.
    public init(path: String, shownAs: String, streamed: [Streamed], small: (HDF5Writer) throws -> Void) throws {
        self.shownAs = shownAs
        let total = streamed.reduce(0) { $0 + $1.bytes }
        var disk = statvfs()
        let directory = (path as NSString).deletingLastPathComponent
        if statvfs(directory, &disk) == 0 {
            let free = Int(disk.f_bavail) &* Int(disk.f_frsize)
            guard free > total + (1 << 20) else {
                throw FourierLensError.outputFailure(output: shownAs, reason: "\(String(cString: strerror(ENOSPC))): it needs \(byteCount(total)), \(byteCount(free)) are free")
            }
        }
        let writer = try HDF5Writer(creating: path, onDisk: true)
        try small(writer)
        for dataset in streamed {
            let offset = try writer.reserve(at: dataset.path, shape: dataset.shape, fileType: dataset.element.fileType)
            datasets[dataset.path] = (offset, dataset.element, dataset.shape.reduce(1, *))
        }
        try writer.commit()
        fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FourierLensError.outputFailure(output: shownAs, reason: String(cString: strerror(errno))) }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Writes `values` (the file's element type, little-endian as this machine) at element
    /// `start` of the flattened dataset.
    public func write<T>(_ values: [T], to path: String, at start: Int) throws {
        guard let dataset = datasets[path] else { preconditionFailure("\(path) was not laid out") }
        precondition(MemoryLayout<T>.size == dataset.element.bytes && start >= 0 && start + values.count <= dataset.elements)
        guard let offset = dataset.offset, !values.isEmpty else { return }
        try values.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + start * dataset.element.bytes + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw FourierLensError.outputFailure(output: shownAs, reason: String(cString: strerror(n < 0 ? errno : ENOSPC)))
                }
                done += n
            }
        }
    }

    /// Makes the rows durable and closes the file.
    public func finish() throws {
        guard fd >= 0 else { return }
        defer { close(fd); fd = -1 }
        guard fsync(fd) == 0 else { throw FourierLensError.outputFailure(output: shownAs, reason: String(cString: strerror(errno))) }
    }
}
