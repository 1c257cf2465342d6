/// What this build of fourierlens is: its one version number (and, in FourierLensStudy, the
/// identity of the running binary, which a study task's cache key includes).
public enum BuildIdentity {
    /// The version: `fourierlens --version`, every summary's "tool", the study manifest.
    public static let version = "0.1.0"

    /// "fourierlens 0.1.0", as summaries and the study manifest name the tool.
    public static let tool = "fourierlens \(version)"
}
