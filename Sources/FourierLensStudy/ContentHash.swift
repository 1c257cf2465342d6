import FourierLens
import Foundation

/// SHA-256 of files and texts. Files are hashed once per (path, size, modification time) and
/// remembered in the study directory, so a re-run does not read every dump again.
public final class ContentHash {
    private var cache: [String: Entry]

    struct Entry: Codable { var size: Int; var modified: Double; var sha256: String }

    /// Starts from the hashes remembered at `cachePath`, when there are any.
    public init(cachePath: String?) {
        if let cachePath, let data = FileManager.default.contents(atPath: cachePath),
           let entries = try? JSONDecoder().decode([String: Entry].self, from: data) {
            cache = entries
        } else {
            cache = [:]
        }
    }

    public static func hex(_ bytes: [UInt8]) -> String { FileDigest.sha256(bytes: bytes) }

    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// The file's SHA-256 (exit 2 naming it when it cannot be read).
    public func file(_ path: String) throws -> String {
        // A device (/dev/zero) or a FIFO would be read for ever: only regular files are hashed.
        try HDF5File.requireReadableRegularFile(path, noun: "file")
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a readable file (\(error.localizedDescription))")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        if let entry = cache[path], entry.size == size, entry.modified == modified { return entry.sha256 }
        let digest = try FileDigest.sha256(path)
        cache[path] = Entry(size: size, modified: modified, sha256: digest)
        return digest
    }

    /// A file's SHA-256, or a folder's: of its files' relative paths and SHA-256s in order (a
    /// model folder, whatever it is called and wherever it lies).
    public func content(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return try file(path) }
        let lines = try Self.files(in: path).map { "\($0)\u{0}\(try file(path + "/" + $0))" }
        return Self.hex(lines.joined(separator: "\n"))
    }

    /// The regular files below a folder (links followed), as sorted relative paths; hidden ones and
    /// Python's byte-code caches left out.
    static func files(in folder: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw FourierLensError.badInput(file: folder, dataset: "-", expected: "a readable folder")
        }
        var files: [String] = []
        while let entry = walker.nextObject() as? String {
            let name = (entry as NSString).lastPathComponent
            if name.hasPrefix(".") || name == "__pycache__" { walker.skipDescendants(); continue }
            let resolved = URL(fileURLWithPath: folder + "/" + entry).resolvingSymlinksInPath().path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(entry) }
        }
        return files.sorted()
    }

    /// Remembers the hashes for the next run (best effort: a failure only costs a re-read).
    public func save(to cachePath: String) {
        guard let data = try? JSONEncoder().encode(cache) else { return }
        try? AtomicFile.write(Array(data), to: cachePath, replacing: true)
    }
}
