import COpenSSL
import Foundation

/// SHA-256 of a file's bytes, read in 4 MiB chunks: what identifies a dump whatever its path.
public enum FileDigest {
    public static func sha256(_ path: String) throws -> String {
        try HDF5File.requireReadableRegularFile(path, noun: "file")
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a readable file")
        }
        defer { try? handle.close() }
        let digest = SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 22) ?? Data() } catch {
                throw FourierLensError.badInput(file: path, dataset: "-", expected: "a readable file (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { digest.update($0) }
        }
        return digest.hex()
    }

    /// SHA-256 of bytes in memory, as lowercase hex.
    public static func sha256(bytes: [UInt8]) -> String {
        let digest = SHA256()
        bytes.withUnsafeBytes { digest.update($0) }
        return digest.hex()
    }
}

/// SHA-256 fed in pieces (OpenSSL's libcrypto).
final class SHA256 {
    private let context: OpaquePointer

    init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// The digest as lowercase hex (once: the context is spent).
    func hex() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
