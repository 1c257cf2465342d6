import ArgumentParser
import FourierLens

extension Site: ExpressibleByArgument {}

/// The probes' options, shared by `probe` and `compare`.
struct ProbeArguments: ParsableArguments {
    @Option(help: "Comma-separated probes: value, mod2, mod5, mod10 (any modM), helix, fourier; or none.")
    var probes: ProbeList = "value,mod2,mod5,mod10,helix,fourier"

    @Option(help: "Periods of the helix basis.")
    var periods: PeriodList = "2,5,10,100"

    @Option(help: "Periods of the Fourier probe (cos and sin of 2πa/T read out of the representation).")
    var fourierPeriods: PeriodList = "2,2.5,5,10"

    @Option(help: "Cross-validation folds.")
    var folds = 5

    @Option(help: "Folds inside each training set that choose the ridge strength of the value, mod-m and Fourier probes.")
    var innerFolds = 5

    @Option(help: "Principal components kept before the helix fit.")
    var pcaDimensions = 100

    var enabled: Bool { !probes.isNone }

    func options(seed: UInt64) throws -> ProbeOptions {
        let names = try probes.values()
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2 (found \(folds))") }
        guard innerFolds >= 2 else { throw ValidationError("--inner-folds must be at least 2 (found \(innerFolds))") }
        guard pcaDimensions >= 1 else { throw ValidationError("--pca-dimensions must be at least 1") }
        var options = ProbeOptions()
        options.probes = names
        options.folds = folds
        options.innerFolds = innerFolds
        options.seed = seed
        options.helixPeriods = try periods.values(option: "--periods")
        options.fourierPeriods = try fourierPeriods.values(option: "--fourier-periods")
        options.pcaDimensions = pcaDimensions
        return options
    }
}

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Linear probes of number representations: value, mod-m, helix and Fourier, with controls.",
        discussion: """
        On one dataset (--dataset, default the embeddings) or per layer of a site (--site, \
        --layers). Writes probes.csv, charts, summary.json and index.html. See docs/METHODS.md.
        """
    )

    @Argument(help: "The dump (an HDF5 file).")
    var dump: String

    @Option(help: "The representation [rows × d] (default: the embeddings /weights/W_E).")
    var dataset: String?

    @Option(help: "Probe every layer of this site (resid_pre, attn_out, mlp_out, resid_post).")
    var site: Site?

    @Option(help: "Layers of --site, e.g. 0-5 (default: all).")
    var layers: LayerList?

    @Option(help: "The number of each row (default: /tokens/values, or /prompts/values for activations).")
    var values: String?

    @OptionGroup var position: PositionOption

    @Option(help: "The seed of the folds and the shuffled controls.")
    var seed: UInt64 = 0

    @Flag(help: "Accept NaN/Inf values (set to 0).")
    var allowNonfinite = false

    @OptionGroup var averaging: AveragingOptions
    @OptionGroup var probeArguments: ProbeArguments
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if dataset != nil && site != nil { throw ValidationError("give --dataset or --site, not both") }
        if layers != nil && site == nil { throw ValidationError("--layers goes with --site") }
        if !probeArguments.enabled { throw ValidationError("--probes none leaves nothing to run") }
    }

    func run() throws {
        let options = try probeArguments.options(seed: seed)
        let directory = try output.directory(default: "\(stem(dump))-probe", inputs: [dump])
        let file = try HDF5File(readingFrom: dump)
        let roles = try Dump(file: file)
        func load(_ dataset: String?, _ index: Int?) throws -> NumberMatrix {
            try NumberMatrix.load(file: file, dump: roles, dataset: dataset, values: values, layer: index,
                                  allowGaps: true, allowNonFinite: allowNonfinite, requireNumberAxis: false,
                                  average: averaging.average, position: try position.parsed())
        }
        let results: [ProbeResult]
        if let site {
            let bar = ProgressBar(label: "probe", enabled: !output.quiet)
            defer { bar.finish() }
            results = try ProbeRun.perLayer(file: file, dump: roles, site: site, layers: { try layers?.values() },
                                            options: options, load: { try load($0, $1) }, loaded: output.noteAveraging, progress: bar.update)
        } else {
            let matrix = try load(dataset, nil)
            output.noteAveraging(matrix)
            results = [try ProbeRun.run(matrix, options: options)]
        }
        try ProbeReport.write(results, options: options, to: directory)
        try directory.commit()
        output.announce(directory, findings: Findings.probes(results))
    }
}
