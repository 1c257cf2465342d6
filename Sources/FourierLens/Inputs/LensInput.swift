/// What the logit lens and the Fourier filter read from a dump, checked role by role with a
/// precise word on what is missing — everything but the activations, which are read a block of
/// prompts at a time (`rows`), or all at once for a task held in memory (`load`).
public struct LensPlan {
    public let file: HDF5File
    public let sources: [ActivationSource]
    /// The readout whose distribution is "final" for KL (the last layer's resid_post), if any,
    /// and whether it was read only for that (not asked for).
    public let referenceReadout: Int?
    public let referenceOnlyForKL: Bool
    public let unembedding: Unembedding
    public let norm: FinalNorm?
    /// The cached final-norm scale of every prompt (norm cached).
    public let finalScale: [Float]?
    /// Per prompt: the answer as a number (nil when it is not one), and as a token id.
    public let answerValues: [Int64?]
    public let answerTokens: [Int64?]
    /// The number tokens, sorted by value.
    public let numberTokens: [Int64]
    public let numberValues: [Int64]
    public let prompts: Int
    let position: Int?
    let allowNonFinite: Bool
    /// Each source's dataset, opened and described once: read block after block.
    let datasets: [(handle: HDF5Handle, info: DatasetInfo)]

    public var readouts: [(site: Site, layer: Int)] { sources.map { ($0.site, $0.layer) } }
    public var answersNotNumbers: Int { answerValues.reduce(0) { $0 + ($1 == nil ? 1 : 0) } }

    /// Readout i's activations of the prompts `range`, [range.count × d], NaN/Inf set to 0 when allowed.
    public func rows(_ i: Int, _ range: Range<Int>) throws -> Matrix {
        let source = sources[i]
        var matrix = try LensInput.readActivation(file, source, datasets[i], position: position, rows: range)
        if let bad = matrix.values.firstIndex(where: { !$0.isFinite }) {
            guard allowNonFinite else {
                throw FourierLensError.badInput(file: file.path, dataset: source.path,
                    expected: "finite values, found NaN/Inf at row \(range.lowerBound + bad / max(matrix.cols, 1)); pass --allow-nonfinite to treat them as 0")
            }
            for j in bad..<matrix.values.count where !matrix.values[j].isFinite { matrix.values[j] = 0 }
        }
        return matrix
    }

    public func context(_ options: LensOptions) -> LensContext {
        LensContext(unembedding: unembedding, norm: norm, readouts: readouts, referenceReadout: referenceReadout,
                    numberTokens: numberTokens, numberValues: numberValues, options: options)
            .with(referenceOnlyForKL: referenceOnlyForKL)
    }
}

/// Another dump that holds the readout (W_U, b_U, the final norm, its cached scale, the
/// vocabulary) for activations that come without one: `filter`'s filtered.h5 read through its
/// source dump (`lens --weights-from`).
public struct ReadoutDump {
    public let file: HDF5File
    public let dump: Dump
    public init(file: HDF5File, dump: Dump) { (self.file, self.dump) = (file, dump) }
}

public enum LensInput {
    public static func plan(file: HDF5File, dump: Dump, sites requested: [Site]?, layers requestedLayers: [Int]?,
                            norm: NormMode, position: Int?, allowNonFinite: Bool, readout: ReadoutDump? = nil) throws -> LensPlan {
        try dump.requireValid()
        let path = file.path
        func bad(_ dataset: String, _ expected: String) -> FourierLensError { .badInput(file: path, dataset: dataset, expected: expected) }
        // The unembedding and the final norm: the dump's own, or --weights-from's.
        let weights = readout ?? ReadoutDump(file: file, dump: dump)
        if readout != nil { try weights.dump.requireValid() }
        func badWeights(_ dataset: String, _ expected: String) -> FourierLensError { .badInput(file: weights.file.path, dataset: dataset, expected: expected) }
        guard let wu = weights.dump.unembedding else {
            throw badWeights("/weights/W_U", "the unembedding W_U [d_model × vocab] for the lens" + (readout == nil ? " (a filtered dump has none: pass --weights-from its source dump)" : ""))
        }
        if let missing = wu.attributes["readout_missing"]?.string {
            throw badWeights(wu.path, "an unembedding that reads the residual stream; this dump's does not (\(missing)), so no lens mode reproduces the model's logits")
        }
        guard let answers = dump.promptAnswers else { throw bad("/prompts/answer", "the answer of each prompt for the lens") }
        guard let ids = dump.tokenIDs, let values = dump.tokenValues else {
            throw bad("/tokens/ids", "the number tokens (/tokens/ids and /tokens/values) for the number readouts")
        }
        guard !dump.activations.isEmpty else { throw bad("/acts", "activations (blocks.{l}.hook_{site}) for the lens") }
        if readout != nil, let otherIDs = weights.dump.tokenIDs, let otherValues = weights.dump.tokenValues,
           try weights.file.readIntegers(otherIDs.path) != file.readIntegers(ids.path) || weights.file.readIntegers(otherValues.path) != file.readIntegers(values.path) {
            throw badWeights("/tokens/ids", "the number tokens of \(path) (the same /tokens/ids and /tokens/values): the readout of the dump the activations came from")
        }
        let stored = try weights.file.readStoredMatrix(wu.path)
        var unembedding = Unembedding(rows: stored.rows, cols: stored.cols, storage: stored.storage,
                                      bias: try weights.dump.unembeddingBias.map { try weights.file.readVector($0.path) },
                                      columnTokens: try weights.dump.vocabularyIDs.map { try weights.file.readIntegers($0.path) })
        unembedding.softcap = wu.attributes["softcap"]?.number.map(Float.init)  // checked positive by requireValid

        let sites = requested ?? dump.sites
        var wanted: [ActivationSource] = []
        for site in sites {
            guard let layers = dump.activations[site] else {
                throw bad("/acts", "activations at site \(site.rawValue); the dump has \(dump.sites.map(\.rawValue).joined(separator: ", "))")
            }
            for layer in requestedLayers ?? layers.keys.sorted() {
                guard let source = layers[layer] else {
                    throw bad("/acts/\(site.hookName(layer: layer))", "layer \(layer) of site \(site.rawValue); the dump has layers \(layers.keys.sorted().map(String.init).joined(separator: ", "))")
                }
                wanted.append(source)
            }
        }
        // The final distribution for KL: the last layer's resid_post, read even when not asked for.
        var reference: Int? = nil, referenceOnly = false
        if let last = dump.activations[.residPost]?.keys.max(), let source = dump.activations[.residPost]?[last] {
            if !wanted.contains(where: { $0.site == .residPost && $0.layer == last }) {
                wanted.append(source)
                referenceOnly = true
            }
            reference = wanted.firstIndex { $0.site == .residPost && $0.layer == last }
        }
        for source in wanted {
            guard source.dModel == unembedding.dModel else {
                throw bad(source.path, "d_model = \(unembedding.dModel) (the rows of W_U), found \(source.dModel)")
            }
            if source.positions != nil && position == nil {
                throw bad(source.path, "--position to pick one position of \(try file.datasetInfo(source.path).shapeDescription)")
            }
            if let width = source.positions, let position {
                _ = try ReadPosition.resolve(position, width: width, file: file.path, dataset: source.path)
            }
        }
        let n = wanted[0].rows
        if n == 0 { throw bad(wanted[0].path, "at least one prompt (a row of activations), found 0") }
        if let other = wanted.first(where: { $0.rows != n }) {
            throw bad(other.path, "\(n) prompts (as \(wanted[0].path)), found \(other.rows)")
        }

        let finalScale = norm == .cached ? try finalScale(file, dump, weights, position: position, prompts: n) : nil
        var finalNorm: FinalNorm? = nil
        if let weight = weights.dump.finalNormWeight, let (kind, eps) = weights.dump.finalNorm {
            finalNorm = FinalNorm(kind: kind == "rmsnorm" ? .rmsNorm : .layerNorm, eps: eps, weight: try weights.file.readVector(weight.path),
                                  bias: try weights.dump.finalNormBias.map { try weights.file.readVector($0.path) })
        }
        if norm != .none && finalNorm == nil {
            throw badWeights("/weights/ln_final.w", "the final norm's weight with attributes kind and eps for --norm \(norm.rawValue)")
        }

        let tokenIDs = try file.readIntegers(ids.path), tokenValues = try file.readIntegers(values.path)
        let order = tokenValues.indices.sorted { tokenValues[$0] < tokenValues[$1] }
        let numberTokens = order.map { tokenIDs[$0] }, numberValues = order.map { tokenValues[$0] }
        let answerData = try file.readIntegers(answers.path)
        guard answerData.count == n else { throw bad(answers.path, "one answer per prompt (\(n)), found \(answerData.count)") }
        let tokenOfValue = Dictionary(zip(numberValues, numberTokens), uniquingKeysWith: { a, _ in a })
        let valueOfToken = Dictionary(zip(numberTokens, numberValues), uniquingKeysWith: { a, _ in a })
        let byValue = (answers.attributes["kind"]?.string ?? "value") == "value"
        // Answers that are not number tokens: the number readouts (accuracy) skip those prompts
        // and count them; the vocabulary readouts still use answers given as token ids.
        let answerValues: [Int64?] = answerData.map { byValue ? (tokenOfValue[$0] == nil ? nil : $0) : valueOfToken[$0] }
        let answerTokens: [Int64?] = answerData.map { byValue ? tokenOfValue[$0] : $0 }
        return LensPlan(file: file, sources: wanted, referenceReadout: reference, referenceOnlyForKL: referenceOnly,
                        unembedding: unembedding, norm: finalNorm, finalScale: finalScale, answerValues: answerValues,
                        answerTokens: answerTokens, numberTokens: numberTokens, numberValues: numberValues, prompts: n,
                        position: position, allowNonFinite: allowNonFinite,
                        datasets: try wanted.map { (try file.openDataset($0.path), try file.datasetInfo($0.path)) })
    }

    /// The whole task in memory: every readout's activations of every prompt.
    public static func load(file: HDF5File, dump: Dump, sites: [Site]?, layers: [Int]?,
                            norm: NormMode, position: Int?, allowNonFinite: Bool) throws -> LensTask {
        let plan = try plan(file: file, dump: dump, sites: sites, layers: layers, norm: norm, position: position,
                            allowNonFinite: allowNonFinite)
        let readouts = try plan.sources.indices.map { i in
            LensReadout(site: plan.sources[i].site, layer: plan.sources[i].layer, activations: try plan.rows(i, 0..<plan.prompts))
        }
        var task = LensTask(readouts: readouts, unembedding: plan.unembedding, norm: plan.norm, finalScale: plan.finalScale,
                            answerValues: plan.answerValues, answerTokens: plan.answerTokens, numberTokens: plan.numberTokens,
                            numberValues: plan.numberValues, referenceReadout: plan.referenceReadout)
        task.referenceOnlyForKL = plan.referenceOnlyForKL
        task.answersNotNumbers = plan.answersNotNumbers
        return task
    }

    /// The cached final-norm scale of the `n` prompts: the dump's own, or else --weights-from's,
    /// whose rows are the prompts from the dump's `prompt_start` (a filtered shard's first prompt).
    static func finalScale(_ file: HDF5File, _ dump: Dump, _ weights: ReadoutDump, position: Int?, prompts n: Int) throws -> [Float] {
        let own = dump.finalScale != nil || weights.file === file
        let scales = try readFinalScale(own ? file : weights.file, own ? dump : weights.dump, position: position)
        if scales.count == n { return scales }
        let source = own ? file.path : weights.file.path, dataset = (own ? dump : weights.dump).finalScale!.path
        let start = own ? 0 : Int(try file.attributes(of: "/")["prompt_start"]?.number ?? 0)
        guard !own, start >= 0, start + n <= scales.count else {
            throw FourierLensError.badInput(file: source, dataset: dataset, expected: "one scale per prompt (\(n)\(own ? "" : " from prompt \(start)")), found \(scales.count)")
        }
        return Array(scales[start..<(start + n)])
    }

    static func readFinalScale(_ file: HDF5File, _ dump: Dump, position: Int?) throws -> [Float] {
        guard let scale = dump.finalScale else {
            throw FourierLensError.badInput(file: file.path, dataset: "/acts/ln_final.hook_scale", expected: "the cached final-norm scale for --norm cached")
        }
        let info = try file.datasetInfo(scale.path)
        var values: [Float]
        if info.rank == 1 {
            values = try file.readVector(scale.path)
        } else {
            guard let position else {
                throw FourierLensError.badInput(file: file.path, dataset: scale.path, expected: "--position to pick the scale of one position from \(info.shapeDescription)")
            }
            let index = try ReadPosition.resolve(position, width: info.shape[1], file: file.path, dataset: scale.path)
            var start = info.shape.map { _ in 0 }, count = info.shape
            (start[1], count[1]) = (index, 1)
            values = try file.readFloats(scale.path, start: start, count: count)
        }
        if let bad = values.firstIndex(where: { !($0 > 0) }) {
            throw FourierLensError.badInput(file: file.path, dataset: scale.path, expected: "positive scales, found \(values[bad]) at row \(bad)")
        }
        return values
    }

    /// Rows `rows` of one (site, layer) as [rows × d]: per-layer [N, d] or [N, pos, d], stacked
    /// [L, N, d] or [L, N, pos, d] (one position picked).
    static func readActivation(_ file: HDF5File, _ source: ActivationSource, _ dataset: (handle: HDF5Handle, info: DatasetInfo),
                               position: Int?, rows: Range<Int>) throws -> Matrix {
        let info = dataset.info
        let layerAxis = source.stackedIndex == nil ? 0 : 1
        let shape = Array(info.shape.dropFirst(layerAxis))
        var start = info.shape.map { _ in 0 }, count = info.shape
        if let stacked = source.stackedIndex { start[0] = stacked; count[0] = 1 }
        start[layerAxis] = rows.lowerBound
        count[layerAxis] = rows.count
        if shape.count == 3, let position {
            start[layerAxis + 1] = position < 0 ? shape[1] + position : position
            count[layerAxis + 1] = 1
        }
        let values = try file.readFloats(dataset.handle, dataset.info, start: start, count: count)
        return Matrix(rows: rows.count, cols: shape[shape.count - 1], values: values)
    }
}
