import ArgumentParser
import FourierLens

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two spectra: two dumps (or datasets), or one against a matched random baseline.",
        discussion: """
        Each input is FILE or FILE:/DATASET. With one input, --random builds B from A: gaussian \
        (Gaussian rows with A's per-column mean and standard deviation) or permute (A's rows in a \
        random order) or frequency-matched (random smooth functions of log corpus count plus noise, \
        at A's strength; needs counts). Writes compare.csv, outliers.csv, SVG charts, summary.json and index.html.
        """
    )

    @Argument(help: "A: FILE or FILE:/DATASET.")
    var a: String

    @Argument(help: "B: FILE or FILE:/DATASET (omit with --random).")
    var b: String?

    @Option(help: "Compare A with a random baseline matched to it: gaussian, permute or frequency-matched.")
    var random: RandomBaseline?

    @OptionGroup var input: NumberInputOptions
    @OptionGroup var spectral: SpectralOptions
    @OptionGroup var frequency: FrequencyControlOptions
    @OptionGroup var probeArguments: ProbeArguments
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if b == nil && random == nil { throw ValidationError("give a second input B, or --random gaussian|permute|frequency-matched") }
        if b != nil && random != nil { throw ValidationError("give either a second input B or --random, not both") }
    }

    func run() throws {
        var options = try spectral.options()
        options.allowGaps = input.allowGaps
        let (fileA, datasetA) = splitInput(a)
        let directory = try output.directory(default: "\(stem(fileA))-compare", inputs: [fileA] + (b.map { [splitInput($0).0] } ?? []))
        let matrixA = try input.load(fileA, dataset: datasetA)
        try spectral.requireFits(matrixA)
        output.noteAveraging(matrixA)
        let matrixB: NumberMatrix
        let labelB: String?
        if let random {
            let logCounts = random == .frequencyMatched ? try frequency.load(for: matrixA, dump: fileA).logCounts : nil
            matrixB = random.matched(to: matrixA, seed: options.seed &+ 0x5EED, logCounts: logCounts)
            labelB = random == .frequencyMatched ? "random frequency-matched to A" : "random \(random.rawValue) matched to A"
        } else {
            let (fileB, datasetB) = splitInput(b!)
            matrixB = try input.load(fileB, dataset: datasetB)
            try spectral.requireFits(matrixB)
            output.noteAveraging(matrixB)
            labelB = nil
        }
        var spectrumA = SpectrumRun.run(matrixA, options: options)
        var spectrumB = SpectrumRun.run(matrixB, options: options, label: labelB)
        try frequency.apply(to: &spectrumA, input: matrixA, dump: fileA)
        // A random B has A's numbers: A's counts; a dump B its own (or --counts).
        try frequency.apply(to: &spectrumB, input: matrixB, dump: b.map { splitInput($0).0 } ?? fileA)
        var result = CompareResult(a: spectrumA, b: spectrumB)
        if probeArguments.enabled {
            let probeOptions = try probeArguments.options(seed: options.seed)
            result.probeOptions = probeOptions
            result.probesA = try ProbeRun.run(matrixA, options: probeOptions, source: "A")
            result.probesB = try ProbeRun.run(matrixB, options: probeOptions, source: "B")
        }
        try CompareReport.write(result, to: directory)
        try directory.commit()
        output.announce(directory, findings: Findings.compare(result))
    }
}

/// "dump.h5:/acts/blocks.3.hook_resid_post" → ("dump.h5", "/acts/..."); "dump.h5" → ("dump.h5", nil).
func splitInput(_ text: String) -> (String, String?) {
    guard let range = text.range(of: ":/", options: .backwards) else { return (text, nil) }
    return (String(text[..<range.lowerBound]), String(text[text.index(after: range.lowerBound)...]))
}
