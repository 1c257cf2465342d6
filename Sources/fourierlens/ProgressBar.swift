import Foundation

/// A progress bar on stderr, drawn only when stderr is a terminal (never in logs or pipes).
/// Under a study (`fourierlens run`) the percentage also goes to the file named by
/// FOURIERLENS_PROGRESS_FILE, which the study's progress display reads.
final class ProgressBar {
    private let label: String
    private let enabled: Bool
    private var last = -1
    private let progressFile = ProcessInfo.processInfo.environment["FOURIERLENS_PROGRESS_FILE"]

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func update(_ fraction: Double) {
        let percent = Int((fraction * 100).rounded(.down))
        guard percent != last else { return }
        last = percent
        if let progressFile { try? Data("\(percent)\n".utf8).write(to: URL(fileURLWithPath: progressFile)) }
        guard enabled else { return }
        let filled = percent * 30 / 100
        FileHandle.standardError.write(Data("\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] \(percent)%".utf8))
    }

    func finish() {
        if enabled && last >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
