import Foundation

/// A progress bar on stderr, drawn only when stderr is a terminal (never in logs or pipes).
final class ProgressBar {
    private let label: String
    private let enabled: Bool
    private var last = -1

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func update(_ fraction: Double) {
        guard enabled else { return }
        let percent = Int((fraction * 100).rounded(.down))
        guard percent != last else { return }
        last = percent
        let filled = percent * 30 / 100
        FileHandle.standardError.write(Data("\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] \(percent)%".utf8))
    }

    func finish() {
        if enabled && last >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
