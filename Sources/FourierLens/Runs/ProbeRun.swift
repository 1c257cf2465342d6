/// Probe scores for one representation (a dataset, or one layer of a site).
public struct ProbeResult: Sendable {
    /// A name for pages and legends ("layer 0 resid_post", "A", a dataset path).
    public let source: String
    /// The dataset probed, and the layer and site it holds (nil for weights and plain datasets).
    public var dataset: String? = nil
    public let layer: Int?
    public var site: String? = nil
    public let rows: Int
    public let columns: Int
    public let scores: [ProbeScore]
    /// How many rows each number's mean is over, when the rows of each number were averaged.
    public var rowsPerNumber: [Int]? = nil
}

public enum ProbeRun {
    /// Runs the probes on a loaded matrix; bad options become a bad-input error naming the dataset.
    public static func run(_ input: NumberMatrix, options: ProbeOptions, source: String? = nil) throws -> ProbeResult {
        do {
            let scores = try ProbeSuite.run(input.matrix, values: input.values, options: options)
            var result = ProbeResult(source: source ?? input.label, layer: input.layer, rows: input.matrix.rows,
                                     columns: input.matrix.cols, scores: scores)
            result.rowsPerNumber = input.rowsPerNumber
            result.dataset = input.dataset
            return result
        } catch {
            throw FourierLensError.badInput(file: input.file, dataset: input.valuesDataset, expected: error.description)
        }
    }

    /// Probes every layer of `site` in `layers` (default: every layer the dump has), in that
    /// order. `load` reads a layer's dataset (its path and, in a stacked dataset, its index) as
    /// the command's options say; `loaded` hears of the first matrix read, `progress` of the
    /// fraction of layers done.
    public static func perLayer(file: HDF5File, dump: Dump, site: Site, layers: () throws -> [Int]?, options: ProbeOptions,
                                load: (_ dataset: String, _ index: Int?) throws -> NumberMatrix,
                                loaded: (NumberMatrix) -> Void = { _ in }, progress: (Double) -> Void = { _ in }) throws -> [ProbeResult] {
        guard let sources = dump.activations[site] else {
            let sites = dump.sites.map(\.rawValue).joined(separator: ", ")
            throw FourierLensError.badInput(file: file.path, dataset: "/acts",
                expected: "activations at site \(site.rawValue) (blocks.{l}.hook_\(site.rawValue)); the dump has \(sites.isEmpty ? "none" : sites)")
        }
        let wanted = try layers() ?? sources.keys.sorted()
        var results: [ProbeResult] = []
        for (done, layer) in wanted.enumerated() {
            progress(Double(done) / Double(wanted.count))
            guard let source = sources[layer] else {
                throw FourierLensError.badInput(file: file.path, dataset: "/acts/\(site.hookName(layer: layer))",
                    expected: "layer \(layer) of site \(site.rawValue); the dump has layers \(sources.keys.sorted().map(String.init).joined(separator: ", "))")
            }
            let matrix = try load(source.path, source.stackedIndex)
            if done == 0 { loaded(matrix) }
            var perLayer = NumberMatrix(file: matrix.file, dataset: matrix.dataset, valuesDataset: matrix.valuesDataset,
                                        layer: layer, matrix: matrix.matrix, values: matrix.values)
            perLayer.rowsPerNumber = matrix.rowsPerNumber
            var result = try run(perLayer, options: options, source: "layer \(layer) \(site.rawValue)")
            result.site = site.rawValue
            results.append(result)
            progress(Double(done + 1) / Double(wanted.count))
        }
        return results
    }
}
