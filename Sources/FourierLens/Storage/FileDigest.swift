import CKernels
import Foundation

/// SHA-256 of a file's bytes, read in 4 MiB chunks: what identifies a dump whatever its path.
public enum FileDigest {
    public static func sha256(_ path: String) throws -> String {
        try HDF5File.requireReadableRegularFile(path, noun: "file")
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a readable file")
        }
        defer { try? handle.close() }
        var context = fl_sha256_context()
        fl_sha256_init(&context)
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 22) ?? Data() } catch {
                throw FourierLensError.badInput(file: path, dataset: "-", expected: "a readable file (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { fl_sha256_update(&context, $0.baseAddress, $0.count) }
        }
        return finish(&context)
    }

    public static func finish(_ context: inout fl_sha256_context) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        fl_sha256_final(&context, &digest)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
