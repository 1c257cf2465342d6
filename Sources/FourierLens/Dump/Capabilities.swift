/// Which analyses a dump can feed, and what it lacks for the others.
public struct Capability: Equatable, Sendable {
    public let analysis: String
    public let purpose: String
    public let missing: [String]
    public var ready: Bool { missing.isEmpty }
}

extension Dump {
    public var capabilities: [Capability] {
        let hasActs = !activations.isEmpty
        func need(_ present: Bool, _ what: String) -> [String] { present ? [] : [what] }
        let embeddingNeeds = need(embeddings != nil, "/weights/W_E")
            + need(tokenValues != nil, "/tokens/values")
            + need(embeddings.map { e in e.shape.first == tokenValues?.shape.first } ?? true || tokenIDs != nil,
                   "/tokens/ids (W_E has more rows than number tokens)")
        let activationNeeds = need(hasActs, "activations under /acts") + need(promptValues != nil, "/prompts/values")
        let lensNeeds = need(hasActs, "activations under /acts") + need(unembedding != nil, "/weights/W_U")
            + need(promptAnswers != nil, "/prompts/answer")
        let numberNeeds = need(tokenIDs != nil, "/tokens/ids") + need(tokenValues != nil, "/tokens/values")
        return [
            Capability(analysis: "spectrum", purpose: "Fourier spectrum of the number-token embeddings",
                       missing: embeddingNeeds),
            Capability(analysis: "spectrum --dataset /acts/...", purpose: "Fourier spectrum of a layer's activations over numbers",
                       missing: activationNeeds),
            Capability(analysis: "compare", purpose: "pretrained vs random embeddings",
                       missing: embeddingNeeds),
            Capability(analysis: "lens", purpose: "logit lens per layer and site (norm none)",
                       missing: lensNeeds + numberNeeds),
            Capability(analysis: "lens --norm cached", purpose: "logit lens with the cached final-norm scale",
                       missing: lensNeeds + numberNeeds + need(finalScale != nil, "/acts/ln_final.hook_scale")),
            Capability(analysis: "lens --norm recompute", purpose: "logit lens re-applying the final norm",
                       missing: lensNeeds + numberNeeds + need(finalNorm != nil, "/weights/ln_final.w with attribute kind")),
            Capability(analysis: "filter", purpose: "Fourier filtering of activations (MLP/attention outputs, residuals)",
                       missing: need(hasActs, "activations under /acts") + need(unembedding != nil, "/weights/W_U") + numberNeeds),
            Capability(analysis: "probe", purpose: "value, mod-m and helix probes of the embeddings",
                       missing: embeddingNeeds),
            Capability(analysis: "probe --site", purpose: "probes per layer of the activations",
                       missing: activationNeeds),
            Capability(analysis: "boolean", purpose: "Walsh–Hadamard spectrum, degree profile and sensitivity on bit strings",
                       missing: need(booleanInputs != nil, BooleanRoles.inputsPath) + need(booleanOutputs != nil, BooleanRoles.outputsPath)),
        ]
    }
}
