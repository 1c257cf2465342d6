import ArgumentParser
import FourierLens

struct SpectrumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum",
        abstract: "Fourier spectrum over the number axis, with null-model outliers, as a report.",
        discussion: """
        Rows are put in number order; the DFT is taken along them for every column. Writes \
        spectrum.csv, spectrum.svg, summary.json and index.html. See docs/METHODS.md.
        """
    )

    @Argument(help: "The dump (an HDF5 file).")
    var dump: String

    @OptionGroup var input: NumberInputOptions
    @OptionGroup var logTransform: LogTransformOptions
    @OptionGroup var frequency: FrequencyControlOptions
    @OptionGroup var spectral: SpectralOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        var options = try spectral.options()
        options.allowGaps = input.allowGaps
        let directory = try output.directory(default: "\(stem(dump))-spectrum", inputs: [dump])
        let matrix = try logTransform.apply(try input.load(dump))
        try spectral.requireFits(matrix)
        output.noteAveraging(matrix)
        var result = SpectrumRun.run(matrix, options: options)
        try frequency.apply(to: &result, input: matrix, dump: dump)
        try SpectrumReport.write(result, to: directory)
        try directory.commit()
        output.announce(directory, findings: Findings.spectrum(result))
    }
}
