import ArgumentParser
import FourierLens
import Foundation

struct BooleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boolean",
        abstract: "Fourier analysis of functions on bit strings {−1, 1}ⁿ (boolean/ group), as a report.",
        discussion: """
        A full cube (M = 2ⁿ, n ≤ 26) gets the exact Walsh–Hadamard transform of every output and \
        activation column; a sample gets estimates of the low-degree coefficients with 95% intervals. \
        Writes functions.csv, degrees.csv, coefficients.csv, degrees.svg, sensitivity.svg, summary.json \
        and index.html. See docs/METHODS.md.
        """
    )

    @Argument(help: "The dump (an HDF5 file with a boolean/ group).")
    var dump: String

    @Option(help: "Compare with a target: \(TargetFunction.syntax).")
    var target: String?

    @Option(help: "Outputs above it are the decision +1, the rest −1 (0 for logits and ±1 labels, 0.5 for probabilities).")
    var threshold = 0.0

    @Option(help: "Comma-separated output columns to analyse, by name or index (default: all).")
    var columns: ColumnList?

    @Option(help: "Comma-separated noise-stability correlations ρ in [−1, 1].")
    var rho: CorrelationList = "0.5,0.9"

    @Option(help: "Coefficients listed per function.")
    var top = 20

    @Option(help: "Samples: the largest degree |S| whose coefficients are estimated.")
    var maxDegree = 2

    @OptionGroup var output: OutputOptions

    func options() throws -> BooleanOptions {
        let rhos = try rho.values()
        guard (0...10_000).contains(top) else { throw ValidationError("--top takes 0 to 10000 coefficients (found \(top))") }
        guard (1...64).contains(maxDegree) else { throw ValidationError("--max-degree takes a degree from 1 to 64 (found \(maxDegree))") }
        guard threshold.isFinite else { throw ValidationError("--threshold must be finite (found \(threshold))") }
        var options = BooleanOptions()
        options.rho = rhos
        options.top = top
        options.maxDegree = maxDegree
        options.target = target
        options.threshold = threshold
        options.columns = columns?.values
        return options
    }

    func run() throws {
        let options = try options()
        let directory = try output.directory(default: "\(stem(dump))-boolean", inputs: [dump])
        let input = try BooleanDump(path: dump)
        let result = try BooleanRun.run(input, options: options)
        try BooleanReport.write(result, to: directory)
        try directory.commit()
        output.announce(directory, findings: Findings.boolean(result))
    }
}
