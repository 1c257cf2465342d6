/// Loads what the logit lens and the Fourier filter read from a dump, checking every role they
/// need and saying precisely what is missing.
public enum LensInput {
    public static func load(file: HDF5File, dump: Dump, sites requested: [Site]?, layers requestedLayers: [Int]?,
                            norm: NormMode, position: Int?, allowNonFinite: Bool) throws -> LensTask {
        try dump.requireValid()
        let path = file.path
        func bad(_ dataset: String, _ expected: String) -> FourierLensError { .badInput(file: path, dataset: dataset, expected: expected) }
        guard let wu = dump.unembedding else { throw bad("/weights/W_U", "the unembedding W_U [d_model × vocab] for the lens") }
        guard let answers = dump.promptAnswers else { throw bad("/prompts/answer", "the answer of each prompt for the lens") }
        guard let ids = dump.tokenIDs, let values = dump.tokenValues else {
            throw bad("/tokens/ids", "the number tokens (/tokens/ids and /tokens/values) for the number readouts")
        }
        guard !dump.activations.isEmpty else { throw bad("/acts", "activations (blocks.{l}.hook_{site}) for the lens") }
        let weights = try file.readMatrix(wu.path)
        let bias = try dump.unembeddingBias.map { try file.readVector($0.path) }
        let columnTokens = try dump.vocabularyIDs.map { try file.readIntegers($0.path) }
        let unembedding = Unembedding(weights: weights, bias: bias, columnTokens: columnTokens)

        let sites = requested ?? dump.sites
        var readouts: [LensReadout] = []
        var wanted: [(Site, Int)] = []
        for site in sites {
            guard let layers = dump.activations[site] else {
                throw bad("/acts", "activations at site \(site.rawValue); the dump has \(dump.sites.map(\.rawValue).joined(separator: ", "))")
            }
            for layer in requestedLayers ?? layers.keys.sorted() {
                guard layers[layer] != nil else {
                    throw bad("/acts/\(site.hookName(layer: layer))", "layer \(layer) of site \(site.rawValue); the dump has layers \(layers.keys.sorted().map(String.init).joined(separator: ", "))")
                }
                wanted.append((site, layer))
            }
        }
        // The final distribution for KL: the last layer's resid_post, read even when not asked for.
        var reference: Int? = nil, referenceOnly = false
        if let last = dump.activations[.residPost]?.keys.max() {
            if !wanted.contains(where: { $0 == (.residPost, last) }) {
                wanted.append((.residPost, last))
                referenceOnly = true
            }
            reference = wanted.firstIndex { $0 == (.residPost, last) }
        }
        for (site, layer) in wanted {
            let source = dump.activations[site]![layer]!
            let matrix = try readActivation(file, source, position: position)
            guard matrix.cols == unembedding.dModel else {
                throw bad(source.path, "d_model = \(unembedding.dModel) (the rows of W_U), found \(matrix.cols)")
            }
            if !allowNonFinite, let i = matrix.values.firstIndex(where: { !$0.isFinite }) {
                throw bad(source.path, "finite values, found NaN/Inf at row \(i / matrix.cols); pass --allow-nonfinite to treat them as 0")
            }
            var activations = matrix
            for i in activations.values.indices where !activations.values[i].isFinite { activations.values[i] = 0 }
            readouts.append(LensReadout(site: site, layer: layer, activations: activations))
        }

        var finalScale: [Float]? = nil
        if norm == .cached {
            guard let scale = dump.finalScale else { throw bad("/acts/ln_final.hook_scale", "the cached final-norm scale for --norm cached") }
            let info = try file.datasetInfo(scale.path)
            if info.rank == 1 {
                finalScale = try file.readVector(scale.path)
            } else {
                guard let position else { throw bad(scale.path, "--position to pick the scale of one position from \(info.shapeDescription)") }
                let width = info.shape[1]
                let index = position < 0 ? width + position : position
                guard (0..<width).contains(index) else { throw bad(scale.path, "--position within \(indexRange(width)) (or -\(width) to -1 from the end), found \(position)") }
                var start = info.shape.map { _ in 0 }, count = info.shape
                (start[1], count[1]) = (index, 1)
                finalScale = try file.readFloats(scale.path, start: start, count: count)
            }
            if let bad = finalScale!.firstIndex(where: { !($0 > 0) }) {
                throw FourierLensError.badInput(file: path, dataset: scale.path, expected: "positive scales, found \(finalScale![bad]) at row \(bad)")
            }
        }
        var norm_: FinalNorm? = nil
        if let weight = dump.finalNormWeight, let (kind, eps) = dump.finalNorm {
            norm_ = FinalNorm(kind: kind == "rmsnorm" ? .rmsNorm : .layerNorm, eps: eps, weight: try file.readVector(weight.path),
                              bias: try dump.finalNormBias.map { try file.readVector($0.path) })
        }
        if norm != .none && norm_ == nil {
            throw bad("/weights/ln_final.w", "the final norm's weight with attributes kind and eps for --norm \(norm.rawValue)")
        }

        let tokenIDs = try file.readIntegers(ids.path), tokenValues = try file.readIntegers(values.path)
        let order = tokenValues.indices.sorted { tokenValues[$0] < tokenValues[$1] }
        let numberTokens = order.map { tokenIDs[$0] }, numberValues = order.map { tokenValues[$0] }
        let answerData = try file.readIntegers(answers.path)
        let n = readouts.first?.activations.rows ?? 0
        if n == 0, let first = readouts.first {
            throw bad(dump.activations[first.site]![first.layer]!.path, "at least one prompt (a row of activations), found 0")
        }
        guard answerData.count == n else { throw bad(answers.path, "one answer per prompt (\(n)), found \(answerData.count)") }
        let tokenOfValue = Dictionary(zip(numberValues, numberTokens), uniquingKeysWith: { a, _ in a })
        let valueOfToken = Dictionary(zip(numberTokens, numberValues), uniquingKeysWith: { a, _ in a })
        let byValue = (answers.attributes["kind"]?.string ?? "value") == "value"
        // Answers that are not number tokens: the number readouts (accuracy) skip those prompts
        // and count them; the vocabulary readouts still use answers given as token ids.
        let answerValues: [Int64?] = answerData.map { byValue ? (tokenOfValue[$0] == nil ? nil : $0) : valueOfToken[$0] }
        let answerTokens: [Int64?] = answerData.map { byValue ? tokenOfValue[$0] : $0 }
        var task = LensTask(readouts: readouts, unembedding: unembedding, norm: norm_, finalScale: finalScale,
                            answerValues: answerValues, answerTokens: answerTokens, numberTokens: numberTokens,
                            numberValues: numberValues, referenceReadout: reference)
        task.referenceOnlyForKL = referenceOnly
        task.answersNotNumbers = answerValues.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
        return task
    }

    /// One (site, layer) as [N × d]: per-layer [N, d] or [N, pos, d], stacked [L, N, d] or [L, N, pos, d].
    static func readActivation(_ file: HDF5File, _ source: ActivationSource, position: Int?) throws -> Matrix {
        let info = try file.datasetInfo(source.path)
        let layerAxis = source.stackedIndex == nil ? 0 : 1
        let shape = Array(info.shape.dropFirst(layerAxis))
        var start = info.shape.map { _ in 0 }, count = info.shape
        if let stacked = source.stackedIndex { start[0] = stacked; count[0] = 1 }
        if shape.count == 3 {
            guard let position else {
                throw FourierLensError.badInput(file: file.path, dataset: source.path,
                                                expected: "--position to pick one position of \(info.shapeDescription)")
            }
            let index = position < 0 ? shape[1] + position : position
            guard (0..<shape[1]).contains(index) else {
                throw FourierLensError.badInput(file: file.path, dataset: source.path, expected: "--position within \(indexRange(shape[1])) (or -\(shape[1]) to -1 from the end), found \(position)")
            }
            start[layerAxis + 1] = index
            count[layerAxis + 1] = 1
        }
        let values = try file.readFloats(source.path, start: start, count: count)
        return Matrix(rows: shape[0], cols: shape[shape.count - 1], values: values)
    }
}
