import ArgumentParser
import FourierLens
import Foundation

extension NullModel: ExpressibleByArgument {}
extension RandomBaseline: ExpressibleByArgument {}

/// Which matrix of a dump to analyse, and how to read its number axis.
struct NumberInputOptions: ParsableArguments {
    @Option(help: "The [numbers × features] dataset (default: the embeddings role /weights/W_E).")
    var dataset: String?

    @Option(help: "The number of each row (default: /tokens/values, or /prompts/values for /acts datasets).")
    var values: String?

    @Option(help: "The layer, when --dataset is a stacked [layers × rows × d] dataset.")
    var layer: Int?

    @OptionGroup var position: PositionOption

    @Flag(help: "Accept numbers that are not a contiguous range (the spectrum is then a non-uniform DFT at their values over their full range).")
    var allowGaps = false

    @Flag(help: "Accept NaN/Inf values (they are set to 0 and counted in summary.json).")
    var allowNonfinite = false

    @OptionGroup var averaging: AveragingOptions

    func load(_ path: String, dataset override: String? = nil) throws -> NumberMatrix {
        let file = try HDF5File(readingFrom: path)
        let dump = try Dump(file: file)
        return try NumberMatrix.load(file: file, dump: dump, dataset: override ?? dataset, values: values, layer: layer,
                                     allowGaps: allowGaps, allowNonFinite: allowNonfinite, average: averaging.average,
                                     position: try position.parsed())
    }
}

/// `--position` of spectrum, probe and compare: which position of [N × pos × d] activations.
struct PositionOption: ParsableArguments {
    @Option(name: .customLong("position"),
            help: "The position to read in [N, pos, d] activations: an index (negative counts from the end) or prompt (each prompt's /prompts/position).")
    var text: String?

    func parsed() throws -> ReadPosition? {
        guard let text else { return nil }
        guard let position = ReadPosition(text) else {
            throw ValidationError("--position takes an index (negative from the end) or prompt (found \(text))")
        }
        return position
    }
}

/// Several rows per number (one per prompt template): average them or not.
struct AveragingOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo,
          help: "Use the mean of the rows of each number (default: on when numbers repeat; --no-average keeps every row, which spectra refuse).")
    var average: Bool?
}

/// The spectral analysis's options: centring, null model, false-discovery level, bands.
struct SpectralOptions: ParsableArguments {
    @Flag(help: "Centre each column before the transform (removes k = 0, the mean, from the energy).")
    var center = false

    @Option(help: "Null model for outliers: permute (row order shuffled), gaussian (matched columns) or none.")
    var null: NullModel = .permute

    @Option(help: "Number of null draws (permutations or Gaussian matrices).")
    var permutations = 200

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Option(help: "False discovery rate for outliers (Benjamini–Yekutieli).")
    var fdr = 0.05

    @Option(help: "Low/high split: low frequencies are 1 ≤ k < tau (default ⌈p/10⌉, the k of period 10).")
    var tau: Int?

    @Option(help: "Comma-separated key periods whose share of the energy is reported.")
    var keyPeriods: PeriodList = "2,2.5,5,10"

    @Option(help: "Key set by fraction: the fewest strongest frequencies holding this share of the energy at k ≥ 1.")
    var keyFraction = 0.9

    @Option(help: "Key set by gap: the largest ratio between consecutive sorted energies must reach this to count as a gap.")
    var keyMinGap = 2.0

    @Option(help: "The slow-trend cut: frequencies of period longer than this (k < p/T) are the trend, listed apart from periodic outliers and left out of key sets; 0 keeps every k ≥ 1 periodic.")
    var trendPeriod = SpectrumOptions.defaultTrendPeriod

    func options() throws -> SpectrumOptions {
        guard (2...100_000).contains(permutations) || null == .none else {
            throw ValidationError("--permutations takes 2 to 100000 null draws (found \(permutations))")
        }
        guard fdr > 0 && fdr < 1 else { throw ValidationError("--fdr must lie in (0, 1) (found \(fdr))") }
        if let tau, tau < 1 { throw ValidationError("--tau must be a frequency k ≥ 1 (found \(tau))") }
        let periods = try keyPeriods.values(option: "--key-periods", example: "2,2.5,5,10", finite: true)
        guard keyFraction > 0 && keyFraction <= 1 else { throw ValidationError("--key-fraction must lie in (0, 1] (found \(keyFraction))") }
        try requireKeyMinGap(keyMinGap)
        try requireTrendPeriod(trendPeriod)
        var options = SpectrumOptions()
        options.trendPeriod = trendPeriod
        options.keyFraction = keyFraction
        options.keyMinGap = keyMinGap
        options.center = center
        options.null = null
        options.draws = permutations
        options.seed = seed
        options.alpha = fdr
        options.tau = tau
        options.keyPeriods = periods
        return options
    }

    /// The options that depend on the number of rows p: tau is a frequency 1 ≤ k ≤ ⌊p/2⌋, and
    /// the null's draws fit in memory. (Key periods longer than p have no frequency and are
    /// left out of the key share, as the defaults are for small p.)
    func requireFits(_ matrix: NumberMatrix) throws {
        let p = matrix.values.count
        if NonUniformDFT.hasGaps(matrix.values), NonUniformDFT.range(of: matrix.values) > UInt64(NonUniformDFT.maximumRange) {
            throw ValidationError("--allow-gaps takes numbers spanning at most \(NonUniformDFT.maximumRange) (found \(numberRange(matrix.values.first ?? 0, matrix.values.last ?? 0)) in \(matrix.valuesDataset))")
        }
        if let tau, tau > p / 2 { throw ValidationError("--tau must be a frequency from 1 to \(p / 2) for p = \(p) numbers (found \(tau))") }
        // The null keeps each draw's permutation and magnitudes: p Ints and about p doubles.
        if null != .none, !MemoryBudget.fits(permutations, bytesEach: saturatingMultiply(p, 24)) {
            throw ValidationError("--permutations \(permutations) for p = \(p) numbers \(MemoryBudget.shortfall(permutations, bytesEach: saturatingMultiply(p, 24)))")
        }
    }
}

/// `--key-min-gap` (spectrum, compare, filter's key set): a ratio greater than 1.
func requireKeyMinGap(_ ratio: Double) throws {
    guard ratio > 1 && ratio.isFinite else { throw ValidationError("--key-min-gap must be a ratio greater than 1 (found \(ratio))") }
}

/// `--trend-period` (spectrum, compare, filter's key set): a period greater than 1, or 0 for none.
func requireTrendPeriod(_ period: Double) throws {
    guard period == 0 || (period > 1 && period.isFinite) else {
        throw ValidationError("--trend-period takes a period greater than 1, or 0 for no trend cut (found \(period))")
    }
}

/// Where a report goes.
struct OutputOptions: ParsableArguments {
    @Option(help: "The report directory to create (default: reports/<dump>-<command>).")
    var out: String?

    @Flag(help: "Replace the report directory if it exists (only once the new one is complete).")
    var force = false

    @Flag(help: "Print nothing on success.")
    var quiet = false

    @Flag(help: "Write the charts as SVG only (no PNG and PDF copies).")
    var noFigures = false

    @Flag(help: "Print the run's summary.json on stdout instead of its findings (the report's path goes to stderr).")
    var json = false

    @Option(help: "The page's title (default: the command's, with the dump's model name when its `model` attribute has one).")
    var title: String?

    @Option(name: .customLong("label"),
            help: ArgumentHelp("Show NAME as TEXT in the charts and on the page (e.g. planted.h5:/weights/W_E=W_E); repeat, or separate pairs with commas.",
                               valueName: "NAME=TEXT"))
    var labels: [String] = []

    /// The report directory (parents created as needed); `inputs` are the files the run reads,
    /// which the directory may not contain.
    func directory(default name: String, inputs: [String]) throws -> OutputDirectory {
        guard let pairs = Presentation.labels(labels) else {
            throw ValidationError("--label takes NAME=TEXT, NAME not empty (found \(labels.joined(separator: ", ")))")
        }
        let directory = try OutputDirectory(out ?? "reports/" + name, force: force, inputs: inputs)
        directory.exportsFigures = !noFigures
        directory.note = note
        directory.presentation = Presentation(title: title, labels: pairs, model: inputs.lazy.compactMap(modelName).first)
        return directory
    }

    /// A dump's `model` attribute (free text naming the model), when the file is an HDF5 dump that has one.
    func modelName(_ path: String) -> String? {
        guard path.hasSuffix(".h5") || path.hasSuffix(".hdf5"), let file = try? HDF5File(readingFrom: path),
              case let .strings(names)? = try? file.attributes(of: "/")["model"], let name = names.first,
              !name.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return name
    }

    /// After the report is committed: its key findings and its path, or with --json the summary
    /// (the same bytes as summary.json) alone on stdout.
    func announce(_ output: OutputDirectory, findings: [String] = []) {
        let where_ = "report: \(output.path)/index.html"
        if json {
            // Every report writes summary.json; were it unreadable the run still succeeded.
            let summary = (try? String(contentsOfFile: output.path + "/summary.json", encoding: .utf8)) ?? "null\n"
            print(summary, terminator: "")
            if !quiet { FileHandle.standardError.write(Data((where_ + "\n").utf8)) }
        } else if !quiet {
            for line in findings { print(line) }
            print(where_)
        }
    }

    /// A note on stderr (not with --quiet): what the run did that the user did not ask for.
    func note(_ text: String) {
        if !quiet { FileHandle.standardError.write(Data("note: \(text)\n".utf8)) }
    }

    func noteAveraging(_ input: NumberMatrix) {
        if let averaged = input.averagingDescription {
            note("\(input.valuesDataset) repeats numbers: \(input.dataset) is read as \(averaged)")
        }
    }

    func noteSkippedAnswers(_ count: Int, of prompts: Int) {
        if count > 0 {
            note("\(count) of \(prompts) prompts have an answer that is not a number token; the number accuracies leave them out")
        }
    }
}

func stem(_ path: String) -> String {
    ((path as NSString).lastPathComponent as NSString).deletingPathExtension
}

/// `--memory` of `run` and `lens`: a number of GiB, checked once for both.
enum MemoryOption {
    /// 1 PiB: more than any machine, far below where GiB × 2^30 leaves an Int (a number past
    /// 2^33 GiB would trap there).
    static let maximumGiB = 1_048_576.0

    static func check(_ memory: Double?) throws {
        if let memory, !(memory > 0 && memory <= maximumGiB) {
            throw ValidationError("--memory takes a number of GiB above 0 and at most \(Int(maximumGiB)) (found \(memory))")
        }
    }

    static func bytes(_ gib: Double) -> Int { Int(gib * 1_073_741_824) }
}
