import Foundation

/// What this build of fourierlens is: its one version number, and the identity of the binary
/// that is running, which a study task's cache key includes (a rebuilt binary whose numbers may
/// differ never reuses an old build's task results).
public enum BuildIdentity {
    /// The version: `fourierlens --version`, every summary's "tool", the study manifest.
    public static let version = "0.1.0"

    /// "fourierlens 0.1.0", as summaries and the study manifest name the tool.
    public static let tool = "fourierlens \(version)"

    /// SHA-256 of the running binary's bytes (/proc/self/exe), read once when first asked. When it
    /// cannot be read, a value of this process alone: nothing is reused rather than something stale.
    public static let binary: String = (try? FileDigest.sha256("/proc/self/exe")) ?? "unreadable-\(UUID().uuidString)"
}
