import FourierLens
import Foundation

extension BuildIdentity {
    /// SHA-256 of the running binary's bytes (/proc/self/exe), read once when first asked: part
    /// of every study task's key, so a rebuilt binary whose numbers may differ never reuses an old
    /// build's task results. When it cannot be read, a value of this process alone: nothing is
    /// reused rather than something stale.
    public static let binary: String = (try? FileDigest.sha256("/proc/self/exe")) ?? "unreadable-\(UUID().uuidString)"
}
